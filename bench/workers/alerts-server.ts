/**
 * R20: the whole app in this process (config, database, writer thread, HTTP server, job table),
 * so an alert tick shares the JavaScript thread with ingestion exactly as in `litekpi`. Driven
 * over stdin/stdout (bench/lib/rpc.ts):
 *   { setup: { metrics, rulesPerMetric } } → product, keys, 15 days of data per metric, the rules
 *   { ticks: { ms } } → the real job back to back for at least `ms`, every rule due for exactly
 *                       one boundary each time; the CPU time and wall time of each tick
 * Env: DIR.
 */
import { eq } from "drizzle-orm";
import { loadConfig } from "../../src/config";
import { createDeps } from "../../src/boot";
import { startServer } from "../../src/server";
import { createLogger } from "../../src/lib/log";
import { createUser } from "../../src/auth/users";
import { createProduct } from "../../src/products/products";
import { createKey } from "../../src/products/keys";
import { validateRuleInput } from "../../src/alerts/rule-input";
import { createRule } from "../../src/alerts/rules";
import { alertRules } from "../../src/db/schema";
import { floorMinute } from "../../src/alerts/durations";
import { serveWorker } from "../lib/rpc";

const MIN = 60_000;
const HOUR = 60 * MIN;
const config = loadConfig({ DATA_DIR: process.env.DIR!, LOG_LEVEL: "warn", RATE_LIMIT_KEY_RPS: "1000000000", RATE_LIMIT_PRODUCT_RPS: "1000000000", MAX_SERIES_PER_PRODUCT: "1000000" });
const deps = await createDeps(config, { log: createLogger("warn") });
const server = startServer(deps, { port: 0, host: "127.0.0.1" });
let productId = "";

/** Ten rules per metric, of the kinds people make: thresholds on the hourly sum, a 5-minute average, z-score, rolling mean and seasonal baselines. */
const rulesFor = (metric: string) => [
  ...[50, 100, 150, 200].map((v) => ({ name: `${metric} sum > ${v}`, query: { metric, aggregation: "sum" }, window: "1h", condition: { op: ">", value: v } })),
  ...[1, 2].map((v) => ({ name: `${metric} avg < ${v}`, query: { metric, aggregation: "avg" }, window: "5m", condition: { op: "<", value: v } })),
  { name: `${metric} z`, query: { metric, aggregation: "sum" }, window: "1h", condition: { anomaly: "zscore", threshold: 3, lookback: "1d" } },
  { name: `${metric} z7`, query: { metric, aggregation: "sum" }, window: "1h", condition: { anomaly: "zscore", threshold: 4, lookback: "7d" } },
  { name: `${metric} rolling`, query: { metric, aggregation: "sum" }, window: "15m", condition: { anomaly: "rolling_mean", factor: 3, lookback: "6h" } },
  { name: `${metric} seasonal`, query: { metric, aggregation: "sum" }, window: "1h", condition: { anomaly: "seasonal", threshold: 3, weeks: 2 } },
];

await serveWorker(async (msg: { setup?: { metrics: number; rulesPerMetric: number }; ticks?: { ms: number } }) => {
  if (msg.setup) {
    const now = Date.now();
    const user = await createUser(deps.db, { email: "alerts-bench@example.com", verified: true }, now);
    const product = createProduct(deps.db, { ownerId: user.id, name: "alerts bench", timezone: "UTC" }, now);
    productId = product.id;
    const ingestKey = createKey(deps.db, { productId, scope: "ingest" }, now).secret;
    let rules = 0;
    for (let m = 0; m < msg.setup.metrics; m++) {
      const metric = `alerts.m${String(m).padStart(3, "0")}`;
      const points = [];
      // 15 days hourly (the seasonal baseline), then the last 2 hours a point a minute.
      for (let t = floorMinute(now) - 15 * 24 * HOUR; t < floorMinute(now) - 2 * HOUR; t += HOUR) points.push({ metric, value: 40 + ((t / HOUR + m) % 7), tsMs: t + 1000, tags: {} });
      for (let t = floorMinute(now) - 2 * HOUR; t < now; t += MIN) points.push({ metric, value: 1 + ((t / MIN + m) % 3), tsMs: t + 1000, tags: {} });
      for (let i = 0; i < points.length; i += 1000) await deps.queue.submitPoints(productId, points.slice(i, i + 1000));
      for (const body of rulesFor(metric).slice(0, msg.setup.rulesPerMetric)) {
        const input = await validateRuleInput({ ...body, channels: [{ type: "in_app" }] }, { product, now, allow: deps.config.outboundAllow, secret: deps.config.secret, existing: [] });
        createRule(deps.db, productId, input, user.id, now);
        rules++;
      }
    }
    await deps.queue.flushNow();
    // A first tick opens the episodes of the rules that hold now and delivers their notifications;
    // the ticks measured are the steady state after it (no rule changes state).
    for (let k = 0; k < 5; k++) {
      deps.db.update(alertRules).set({ evaluatedThrough: floorMinute(Date.now()) - MIN }).where(eq(alertRules.productId, productId)).run();
      await deps.scheduler.runJobNow("alerts.evaluate");
      const pending = deps.db.$client.query("SELECT count(*) AS n FROM alert_notifications WHERE status IN ('pending', 'retrying')").get() as { n: number };
      if (pending.n === 0) break;
    }
    return { url: server.url, ingestKey, rules };
  }
  if (msg.ticks) {
    const ticks: { cpuMs: number; wallMs: number }[] = [];
    const started = performance.now();
    while (ticks.length === 0 || performance.now() - started < msg.ticks.ms) {
      // Every rule due for exactly one boundary: what a tick in steady state does.
      deps.db.update(alertRules).set({ evaluatedThrough: floorMinute(Date.now()) - MIN }).where(eq(alertRules.productId, productId)).run();
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      await deps.scheduler.runJobNow("alerts.evaluate");
      const used = process.cpuUsage(cpu);
      ticks.push({ cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - t0 });
    }
    const row = deps.db.$client.query("SELECT count(*) AS n FROM alerts WHERE product_id = ? AND last_error IS NOT NULL").get(productId) as { n: number };
    return { ticks, failedRules: row.n };
  }
  throw new Error("unknown message");
});
await server.stop();
