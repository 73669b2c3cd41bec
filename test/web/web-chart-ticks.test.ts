import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createDashboard } from "../../src/dashboards/dashboards";
import type { WidgetConfig } from "../../src/dashboards/widget-config";
import { addWidget } from "../../src/dashboards/widgets";
import { fixedClock } from "../../src/lib/clock";
import { seedSignups, signedInOwner } from "../dashboards/support";
import { launchBrowser, screenshot } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";
import { signInBrowser } from "../helpers/sign-in";
import { makeSite, sendPlausible } from "./support";

/**
 * The time axis of the charts in Chromium on a fixed clock: the labels uPlot draws (read from
 * the plot, as they are painted on a canvas) are distinct and fit the interval — times for
 * hours, each date once for days, month names for months — on the web dashboard's chart at
 * 1280 px and 320 px, light and dark, and on a product dashboard's line widgets.
 */
const NOW = Date.UTC(2026, 2, 20, 12, 30); // Friday 20 March 2026, 13:30 in Berlin
const clock = fixedClock(NOW);
let server: TestServer;
let browser: Browser;
let site: Awaited<ReturnType<typeof makeSite>>;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startTestServer({ clock, env: { TRUSTED_PROXIES: "127.0.0.1" } });
  browser = await launchBrowser();
  site = await makeSite(server.deps, { domain: "ticks.example", timezone: "Europe/Berlin" });
  // Visits over the last 40 days (one to three a day) and one an hour over the last day.
  const at: number[] = [];
  for (let d = 40; d >= 1; d--) for (let k = 0; k < 1 + (d % 3); k++) at.push(NOW - d * 86_400_000 + k * 5 * 3_600_000);
  for (let h = 23; h >= 0; h--) at.push(NOW - h * 3_600_000 - 60_000);
  for (const [i, t] of at.entries()) {
    clock.set(t);
    const res = await sendPlausible(server.url, { n: "pageview", d: site.domain, u: `https://${site.domain}/` }, { xff: `10.9.${i >> 8}.${i & 255}` });
    expect(res.status).toBe(202);
  }
  await server.deps.queue.flushNow();
  clock.set(NOW);
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.stop();
});

/** A signed-in page whose uPlot instances are kept on `window.__plots`, so the drawn labels can be read. */
async function open(userId: string, width: number, scheme: "light" | "dark"): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
  contexts.push(ctx);
  await signInBrowser(ctx, server, userId);
  await ctx.addInitScript(() => {
    const w = window as unknown as { __plots: unknown[] };
    w.__plots = [];
    let wrapped: unknown;
    Object.defineProperty(window, "uPlot", {
      configurable: true,
      get: () => wrapped,
      set: (U: new (...a: unknown[]) => unknown) => {
        wrapped = Object.assign(function (...a: unknown[]) {
          const p = new U(...a);
          w.__plots.push(p);
          return p;
        }, U);
      },
    });
  });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

/** The x-axis labels of each chart on the page, by the title of its widget card ("" on the web dashboard). */
const xLabels = (page: Page) =>
  page.evaluate(() =>
    Object.fromEntries(
      ((window as unknown as { __plots: { root: Element; axes: { _values: (string | null)[] }[] }[] }).__plots)
        .filter((p) => p.root.isConnected)
        .map((p) => [p.root.closest(".widget-slot")?.getAttribute("data-widget-title") ?? "", p.axes[0]!._values.filter((v) => v != null) as string[]]),
    ),
  );

const CLOCK = /^\d\d:\d\d$/;
const DATE = /^\d{1,2} [A-Z][a-z]{2,3}$/; // "7 Mar", "30 Sept"
const MONTH = /^[A-Z][a-z]{2,3}( \d{4})?$/; // "Apr 2025", "May"
/** What each range's labels look like: hours (a date at midnight), dates, or months. */
const SHAPES: Record<string, RegExp> = { "24h": new RegExp(`${CLOCK.source}|${DATE.source}`), today: new RegExp(`${CLOCK.source}|${DATE.source}`), "7d": DATE, "30d": DATE, "90d": new RegExp(`${DATE.source}|${MONTH.source}`), "12mo": MONTH };

/** Month labels read as a person reads them: a bare "Mar" is in the year last named before it. */
function withYears(labels: string[]): string[] {
  let year = "";
  return labels.map((l) => {
    const m = /^([A-Z][a-z]{2,3})(?: (\d{4}))?$/.exec(l);
    if (!m) return l;
    year = m[2] ?? year;
    return `${m[1]} ${year}`;
  });
}

function expectGoodLabels(labels: string[], shape: RegExp, what: string) {
  expect({ what, labels, distinct: new Set(withYears(labels)).size === labels.length }).toEqual({ what, labels, distinct: true });
  expect(labels.length).toBeGreaterThanOrEqual(2);
  for (const l of labels) expect({ what, label: l, fits: shape.test(l) }).toEqual({ what, label: l, fits: true });
}

describe("chart time axis", () => {
  test("web dashboard: distinct labels for each range at 1280 and 320 px, light and dark; screenshots", async () => {
    for (const [width, scheme] of [[1280, "light"], [320, "dark"], [1280, "dark"], [320, "light"]] as const) {
      const page = await open(site.user.id, width, scheme);
      for (const range of ["24h", "today", "7d", "30d", "90d", "12mo"]) {
        await page.goto(`${server.url}/products/${site.product.id}/web?range=${range}`);
        await page.waitForSelector("[data-testid=web-chart][data-chart-ready]");
        const labels = (await xLabels(page))[""];
        expectGoodLabels(labels!, SHAPES[range]!, `${range} at ${width} px`);
        if (range === "24h") expect(labels!.filter((l) => CLOCK.test(l)).length).toBeGreaterThanOrEqual(1);
        if (range === "12mo") expect(labels![0]).toMatch(/ \d{4}$/); // the year once, on the first month
        if (width === 1280 && range !== "12mo") expect(labels!.length).toBeGreaterThanOrEqual(6);
        if (["24h", "7d", "30d"].includes(range)) await screenshot(page, `web-chart-${range}-${width}-${scheme}`);
      }
      expect((page as Page & { errors: string[] }).errors).toEqual([]);
    }
  }, 180_000);

  test("product dashboard line widgets: hourly, daily, weekly and monthly charts label each tick once", async () => {
    const owner = await signedInOwner(server, { timezone: "Europe/Berlin", name: "Ticks Co" });
    await seedSignups(server, owner.product.id, { days: 100, now: NOW });
    const d = createDashboard(server.deps.db, owner.product.id, { name: "Axes" }, NOW);
    const base: WidgetConfig = { metric: "signups", aggregation: "sum", range: { kind: "last", n: 7, unit: "d" }, filters: {}, groupBy: [], compare: true, size: "half" };
    const widgets: [string, Partial<WidgetConfig>, RegExp][] = [
      ["hourly", { granularity: "hour", range: { kind: "last", n: 24, unit: "h" } }, SHAPES["24h"]!],
      ["daily", { granularity: "day", range: { kind: "last", n: 7, unit: "d" } }, DATE],
      ["daily, full width", { granularity: "day", range: { kind: "last", n: 30, unit: "d" }, size: "full" }, DATE],
      ["weekly", { granularity: "week", range: { kind: "last", n: 90, unit: "d" } }, SHAPES["90d"]!],
      ["monthly", { granularity: "month", range: { kind: "last", n: 12, unit: "mo" } }, MONTH],
    ];
    for (const [title, config] of widgets) addWidget(server.deps.db, owner.product.id, d.id, { kind: "line", title, config: { ...base, ...config } }, NOW);
    for (const width of [1280, 320]) {
      const page = await open(owner.user.id, width, "light");
      await page.goto(`${server.url}/products/${owner.product.id}/dashboards/${d.id}`);
      await page.waitForFunction((n) => document.querySelectorAll("[data-testid=widget-chart][data-chart-ready]").length === n, widgets.length);
      const drawn = await xLabels(page);
      expect(Object.keys(drawn).sort()).toEqual(widgets.map((w) => w[0]).sort());
      for (const [title, , shape] of widgets) expectGoodLabels(drawn[title]!, shape, `${title} at ${width} px`);
      await screenshot(page, `dashboard-line-ticks-${width}-light`);
      expect((page as Page & { errors: string[] }).errors).toEqual([]);
    }
  }, 120_000);
});
