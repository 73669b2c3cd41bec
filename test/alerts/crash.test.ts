import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { BUN, REPO } from "../helpers/process";
import { tempDir, startTestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { createKey } from "../../src/products/keys";
import { fixedClock } from "../../src/lib/clock";
import { episodesOf, iso, MIN } from "./support";

/**
 * One notification per episode edge through a crash: 40 rules fire at 10:06 and resolve at
 * 10:11 (signups 10 a minute from 10:05 to 10:09, sum over 1 minute > 5). The process running
 * the job is SIGKILLed while it is sending the first notifications, then started again on the
 * same files three minutes later. Every rule ends with exactly one episode, and the receiver got
 * exactly one "firing" and one "resolved" message per rule (a message whose send was cut by the
 * kill may arrive twice, with the same webhook-id, which is how a Standard Webhooks receiver
 * drops it).
 */
const T0 = Date.UTC(2026, 2, 2, 10, 0);
const RULES = 40;
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

test("a restart in the middle neither skips nor repeats a notification", async () => {
  const dir = tempDir();
  cleanups.push(dir.remove);
  const hits: { id: string; state: string; rule: string }[] = [];
  const receiver = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const body = (await req.json()) as { state: string; alert: { id: string } };
      hits.push({ id: req.headers.get("webhook-id")!, state: body.state, rule: body.alert.id });
      await Bun.sleep(5); // a receiver that takes a moment, so the kill lands among sends
      return new Response("ok");
    },
  });
  cleanups.push(() => receiver.stop(true));

  // Set up on the same files with the in-process server: data through the API, rules through the API.
  const setup = await startTestServer({ dataDir: dir.path, clock: fixedClock(T0), env: { OUTBOUND_ALLOW: "127.0.0.1" } });
  const owner = await makeProductWithKeys(setup.deps);
  const manage = createKey(setup.deps.db, { productId: owner.product.id, scope: "manage" }, T0).secret;
  const points = Array.from({ length: 5 }, (_, i) => ({ metric: "signups", value: 10, timestamp: iso(T0 + (5 + i) * MIN + 1000) }));
  expect((await setup.fetch("/api/v1/points", { method: "POST", headers: { Authorization: `Bearer ${owner.ingestKey}` }, body: JSON.stringify(points) })).status).toBe(200);
  const ruleIds: string[] = [];
  for (let i = 0; i < RULES; i++) {
    const res = await setup.fetch("/api/v1/alerts", {
      method: "POST",
      headers: { Authorization: `Bearer ${manage}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: `Rule ${i}`, query: { metric: "signups", aggregation: "sum" }, window: "1m", condition: { op: ">", value: 5 }, channels: [{ type: "webhook", url: `http://127.0.0.1:${receiver.port}/hook` }] }),
    });
    expect(res.status).toBe(201);
    ruleIds.push(((await res.json()) as { id: string }).id);
  }
  await setup.stop();

  const ticker = (from: number, to: number) => {
    const proc = Bun.spawn([BUN, join(import.meta.dir, "fixtures/ticker.ts"), dir.path, String(from), String(to)], {
      cwd: REPO,
      env: { ...process.env, OUTBOUND_ALLOW: "127.0.0.1" },
      stdout: "pipe",
      stderr: "inherit",
    });
    cleanups.push(() => proc.kill("SIGKILL"));
    return proc;
  };

  // First run: killed once a third of the "firing" messages have arrived.
  const first = ticker(T0, T0 + 30 * MIN);
  while (hits.filter((h) => h.state === "firing").length < RULES / 3) await Bun.sleep(1);
  first.kill("SIGKILL");
  await first.exited;
  const atKill = hits.length;
  expect(atKill).toBeLessThan(RULES); // killed mid-way: some rules had not sent yet

  // Down for three minutes, then started again on the same files.
  const second = ticker(T0 + 9 * MIN, T0 + 20 * MIN);
  expect(await second.exited).toBe(0);
  expect(await new Response(second.stdout).text()).toContain("done");

  const check = await startTestServer({ dataDir: dir.path, clock: fixedClock(T0 + 20 * MIN) });
  cleanups.push(() => void check.stop());
  for (const id of ruleIds) expect(episodesOf(check.deps, id).map((e) => [e.startedAt, e.resolvedAt])).toEqual([[iso(T0 + 6 * MIN), iso(T0 + 11 * MIN)]]);
  // Exactly one message per rule and edge, by webhook-id; a repeat (a send the kill cut) carries the same id.
  const byRule = new Map<string, Map<string, Set<string>>>();
  for (const h of hits) {
    const states = byRule.get(h.rule) ?? new Map<string, Set<string>>();
    byRule.set(h.rule, states);
    states.set(h.state, (states.get(h.state) ?? new Set()).add(h.id));
  }
  for (const id of ruleIds) {
    expect([id, byRule.get(id)?.get("firing")?.size, byRule.get(id)?.get("resolved")?.size]).toEqual([id, 1, 1]);
  }
  const repeats = hits.length - 2 * RULES;
  expect(repeats).toBeLessThanOrEqual(4); // at most the sends in flight at the kill (4 at a time)
  const statuses = check.deps.db.$client.query("SELECT status, count(*) AS n FROM alert_notifications GROUP BY status").all();
  expect(statuses).toEqual([{ status: "sent", n: 2 * RULES }]);
  await check.stop();
}, 60_000);
