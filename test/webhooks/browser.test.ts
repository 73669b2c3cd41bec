import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { launchBrowser, screenshot } from "../helpers/browser";
import { signInBrowser } from "../helpers/sign-in";
import { startBed, startReceiver, MIN, type Bed } from "./support";

/**
 * In headless Chromium, under the strict CSP: add a webhook on Settings → Webhooks (the secret
 * shown once), send an example to a real receiver, open the delivery log and redeliver. No
 * console errors.
 */
let bed: Bed;
let rx: ReturnType<typeof startReceiver>;
let browser: Browser;
beforeAll(async () => {
  bed = await startBed({ start: Math.floor(Date.now() / MIN) * MIN });
  rx = startReceiver({ now: () => bed.clock.now() });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
  rx?.stop();
});

test("add a webhook, send an example, redeliver it from the log", async () => {
  const context = await browser.newContext({ viewport: { width: 1180, height: 1000 } });
  await signInBrowser(context, bed.server, bed.owner.user.id);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  try {
    await page.goto(`${bed.server.url}/products/${bed.owner.product.id}/settings`);
    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.getByLabel("Endpoint URL").fill(rx.url);
    await page.getByRole("checkbox", { name: "Goal completed goal.completed" }).check();
    await page.getByRole("checkbox", { name: "Purchase purchase.completed" }).check();
    await page.getByRole("button", { name: "Add webhook" }).click();
    const secret = (await page.getByTestId("webhook-secret").textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    rx.secrets.push(secret);
    await screenshot(page, "webhooks-settings");
    await page.getByLabel("Example to send").selectOption("purchase.completed");
    await page.getByTestId("webhook-test").click();
    expect(await page.getByTestId("webhook-notice").textContent()).toContain("delivered (HTTP 200)");
    expect(rx.got).toHaveLength(1);
    expect(rx.got[0]!.verified).toEqual([secret]);
    await page.getByRole("link", { name: "Delivery log" }).click();
    expect(await page.getByTestId("delivery").count()).toBe(1);
    await page.getByTestId("redeliver").click();
    expect(await page.getByTestId("delivery-notice").textContent()).toContain("Delivered again");
    await screenshot(page, "webhooks-delivery-log");
    expect(rx.got.map((m) => m.id)).toEqual([rx.got[0]!.id, rx.got[0]!.id]);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}, 60_000);
