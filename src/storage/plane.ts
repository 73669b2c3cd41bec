import type { Database } from "bun:sqlite";
import type { AggRow, Fragment, RawUnit, SeriesSet } from "../query/sql";
import type { PointBatches } from "../query/export-rows";
import type { Source } from "../query/plan";
import type { Aggregation } from "../query/types";

/**
 * The storage port (DESIGN.md "Beyond one machine"): what the query engine asks of the data
 * plane, whichever engine holds it. The control plane — and the series registry (series,
 * series_tags), which names what a point belongs to — always stays in SQLite; only raw points and
 * their rollups move. Routes, views and jobs never see this: they call the query engine with a
 * connection, and the connection carries its data plane (bound once at boot).
 */
export type StorageEngine = "sqlite" | "clickhouse" | "chdb";
export const STORAGE_ENGINES: StorageEngine[] = ["sqlite", "clickhouse", "chdb"];

/** One read of the points planner: count/sum/min/max per (group, row time) of one source in [from, to). */
export type AggregateRead = {
  productId: string;
  source: Source;
  set: SeriesSet;
  from: number;
  to: number;
  groupBy: string[];
  rawUnit: RawUnit;
  aggregation: Aggregation;
  /** Whether the SQL has few shapes (no filters), so a statement cache may keep it. */
  cacheable: boolean;
};

/** The executor side of the port: the points planner's reads, run on one engine. */
export interface PointsReader {
  aggregate(read: AggregateRead): AggRow[];
  /** Rows a read of [from, to) would touch, counting no further than `limit`. */
  count(read: Pick<AggregateRead, "productId" | "source" | "set" | "from" | "to">, limit: number): number;
  /**
   * The metric that received data most recently (by point time, to the hour), or null; ties go
   * to the metric first seen last, then by name (metric discovery: what a new widget wants).
   */
  mostRecentMetric(productId: string): string | null;
  /** Raw points of a set of series in [from, to), in time order, ties by series id (the CSV export). */
  timeOrdered(productId: string, ids: Fragment, from: number, to: number): PointBatches;
}

/** `events`: the product-events half of the port (src/storage/events-plane.ts); `web`: web analytics (src/storage/web-plane.ts). */
export type DataPlane = {
  engine: StorageEngine;
  points(sqlite: Database): PointsReader;
  events(sqlite: Database): import("./events-plane").EventsReader;
  web(sqlite: Database): import("./web-plane").WebReader;
};

/** A flush's raw points, one series per group; `token` is set for an idempotent request's own rows. */
export type PointsChunk = { token: string | null; groups: import("../writer/apply-batch").SeriesRows[] };

/**
 * The writer side of the port, run on the writer thread inside the flush's SQLite transaction
 * and before its COMMIT: throwing rolls the whole flush back, so nothing is answered "stored"
 * that the data plane did not take. Returns the number of points written.
 */
export interface PointsSink {
  /** Whether idempotent requests want their rows in a chunk of their own (insert deduplication tokens). */
  readonly tokens: boolean;
  write(chunks: PointsChunk[]): number;
  /**
   * A deleted product's points and rollups, before the SQLite purge removes its series. Returns
   * rows deleted; 0 when none are left (SQLite: its purge finds these tables itself).
   */
  purgeProduct(productId: string): number;
  /** Retention: the product's raw points before `before`, at most about `limit` per call; 0 when done. Rollups stay. */
  deleteOldPoints(productId: string, before: number, limit: number): number;
  close(): void;
}
