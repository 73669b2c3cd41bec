import type { Database } from "bun:sqlite";
import type { Db } from "../db/connection";
import { isSavedMetricRef, runSavedMetricAsSeries } from "./events/as-series";
import { runQuery, type QueryProduct, type RunOptions } from "./run";
import { isInsightRef, runInsightAsSeries } from "../insights/as-series";
import type { QueryResult } from "./types";

/**
 * The engine's front door for QueryInput callers that may name a saved metric (widgets,
 * reports): `saved:<name>` goes to the events planner, `insight:…` to the insights on it,
 * anything else to the points planner.
 */
export function runEngineQuery(db: Db & { $client: Database }, product: QueryProduct, input: unknown, now: number, opts: RunOptions = {}): QueryResult {
  const metric = (input as { metric?: unknown } | null)?.metric;
  if (typeof metric === "string" && isSavedMetricRef(metric)) return runSavedMetricAsSeries(db, product, input as never, now);
  if (typeof metric === "string" && isInsightRef(metric)) return runInsightAsSeries(db, product, input as never, now);
  return runQuery(db, product, input, now, opts);
}
