import type { Db } from "../db/connection";
import { createKey, listActiveKeys, regenerateKey } from "../products/keys";
import { listMetrics } from "../query/discovery";
import { runQuery, type QueryProduct } from "../query/run";
import { isoSeconds } from "../lib/time/dates";
import { createDashboard, type Dashboard } from "./dashboards";
import { addWidget } from "./widgets";

/**
 * The path from a new product to a chart of its first point: a key for the snippets, the live
 * "waiting for data…" status, and a starter dashboard for the metric that arrived. Reads go
 * through the query engine like every other reader.
 */
export const ONBOARDING_KEY_NAME = "Onboarding";

export type OnboardingStatus = { kind: "waiting" } | { kind: "received"; metric: string; value: number | null; points: number };

/** Whether the product has received any data (any metric, events included). */
export function hasData(db: Db, productId: string): boolean {
  return listMetrics(db, productId, "", 1).length > 0;
}

/**
 * Keys are stored hashed, so the snippets can only carry a key minted now. An unused
 * "Onboarding" key is replaced (no pile of never-used keys); one already in use is kept working
 * and a new one is made beside it.
 */
export function issueOnboardingKey(db: Db, productId: string, userId: string, now: number): string {
  const unused = listActiveKeys(db, productId).find((k) => k.name === ONBOARDING_KEY_NAME && k.scope === "ingest" && k.lastUsedAt === null);
  if (unused) return regenerateKey(db, unused.id, productId, now, userId).secret;
  return createKey(db, { productId, scope: "ingest", name: ONBOARDING_KEY_NAME, createdBy: userId }, now).secret;
}

/** "received signups = 1": the first plain metric (events only when nothing else came), summed over all time. */
export function onboardingStatus(db: Db, product: QueryProduct, now: number): OnboardingStatus {
  const metrics = listMetrics(db, product.id, "", 50);
  if (!metrics.length) return { kind: "waiting" };
  const metric = metrics.find((m) => !m.startsWith("event:")) ?? metrics[0]!;
  // Points may carry timestamps up to 24 h ahead, so the window ends past that.
  const span = { from: "2000-01-01T00:00:00Z", to: isoSeconds(now + 25 * 3600_000), timezone: product.timezone };
  const sum = runQuery(db, product, { metric, aggregation: "sum", ...span }, now);
  const count = runQuery(db, product, { metric, aggregation: "count", ...span }, now);
  return { kind: "received", metric, value: sum.value ?? null, points: count.value ?? 0 };
}

/** One click after the first point: one full row — the last day, the last 30 days, and the daily line. */
export function createStarterDashboard(db: Db, productId: string, input: { name: string; metric: string }, now: number): Dashboard {
  const dashboard = createDashboard(db, productId, { name: input.name }, now);
  const base = { metric: input.metric, aggregation: "sum" as const, filters: {}, groupBy: [], compare: true, size: "half" as const };
  const last = (n: number, unit: "h" | "d") => ({ kind: "last" as const, n, unit });
  addWidget(db, productId, dashboard.id, { kind: "number", title: `${input.metric} · last 24 hours`, config: { ...base, range: last(24, "h") } }, now);
  addWidget(db, productId, dashboard.id, { kind: "number", title: `${input.metric} · last 30 days`, config: { ...base, range: last(30, "d") } }, now);
  addWidget(db, productId, dashboard.id, { kind: "line", title: `${input.metric} per day`, config: { ...base, granularity: "day", range: last(30, "d") } }, now);
  return dashboard;
}
