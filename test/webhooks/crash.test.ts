import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { BUN, REPO } from "../helpers/process";
import { tempDir } from "../helpers/server";
import { startBed, startReceiver, MIN } from "./support";

/**
 * A restart in the middle of the retries still delivers every message: 40 goal completions are
 * committed; the receiver answers 500 to the first try of each message and 200 after. The process
 * sending them is SIGKILLed while it sends the retries, then started again on the same files. Every
 * message ends 'sent' and reached the receiver with a 200 — at least once, with the same webhook-id
 * on every try (a send the kill cut may arrive twice, which the id lets the receiver drop).
 */
const T0 = Date.UTC(2026, 7, 3, 10, 0);
const MESSAGES = 40;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

test("SIGKILL mid-retry: after the restart every message is delivered, none lost", async () => {
  const dir = tempDir();
  cleanups.push(dir.remove);
  const tried = new Set<string>();
  const ok: string[] = [];
  // The sender's clock is fixed in another process: Webhook.verify's tolerance is judged at the message's own timestamp; the signature is still checked.
  const rx = startReceiver({
    now: (req) => Number(req.headers.get("webhook-timestamp")) * 1000,
    status: (_n, req) => {
      const id = req.headers.get("webhook-id")!;
      if (!tried.has(id)) {
        tried.add(id);
        return 500;
      }
      ok.push(id);
      return 200;
    },
  });
  cleanups.push(() => rx.stop());

  const setup = await startBed({ start: T0, dataDir: dir.path });
  rx.secrets.push((await setup.addWebhook(rx.url, ["goal.completed"])).secret);
  expect((await setup.api("POST", "/api/v1/goals", { name: "Signup", event: "signup" })).status).toBe(201);
  const events = Array.from({ length: MESSAGES }, (_, i) => ({ event: "signup", id: `e-${i}` }));
  const res = await setup.server.fetch("/api/v1/events", { method: "POST", headers: { Authorization: `Bearer ${setup.owner.ingestKey}`, "Content-Type": "application/json" }, body: JSON.stringify(events) });
  expect(res.status).toBe(200);
  await setup.stop();

  const deliverer = (from: number, to: number) => {
    const proc = Bun.spawn([BUN, join(import.meta.dir, "fixtures/deliverer.ts"), dir.path, String(from), String(to), String(MIN)], {
      cwd: REPO,
      env: { ...process.env, OUTBOUND_ALLOW: "127.0.0.1" },
      stdout: "pipe",
      stderr: "inherit",
    });
    cleanups.push(() => proc.kill("SIGKILL"));
    return proc;
  };

  // First run: every first try answered 500; killed once a quarter of the retries went through.
  const first = deliverer(T0, T0 + 30 * MIN);
  while (ok.length < MESSAGES / 4) await Bun.sleep(1);
  first.kill("SIGKILL");
  await first.exited;
  expect(tried.size).toBe(MESSAGES);
  expect(new Set(ok).size).toBeLessThan(MESSAGES); // killed mid-way through the retries

  // Started again on the same files, ten minutes later.
  const second = deliverer(T0 + 10 * MIN, T0 + 40 * MIN);
  expect(await second.exited).toBe(0);
  expect(await new Response(second.stdout).text()).toContain("done");

  const check = await startBed({ start: T0 + 40 * MIN, dataDir: dir.path });
  cleanups.push(() => check.stop());
  const rows = check.deliveries();
  expect(rows).toHaveLength(MESSAGES);
  expect(rows.every((r) => r.status === "sent")).toBe(true);
  expect(new Set(ok)).toEqual(new Set(rows.map((r) => r.id)));
  expect(ok.length - MESSAGES).toBeLessThanOrEqual(4); // at most the sends in flight at the kill (4 at a time)
  expect(rx.got.every((m) => m.verified.length === 1)).toBe(true);
}, 60_000);
