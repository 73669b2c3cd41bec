import type { Database } from "bun:sqlite";
import { DAY_HOURS, SEP } from "./dims";

/** Counter slots of an aggregate row, in the column order of web_agg_hour / web_agg_day. */
export const F = 0; // first_seen
export const L = 1; // last_seen
export const VISITS = 2;
export const BOUNCES = 3;
export const DURATION = 4;
export const VISIT_PV = 5;
export const VISIT_EV = 6;
export const PV = 7;
export const EV = 8;
export const H = 9; // hour_seen
const SLOTS = 10;

type Row = { productId: string; dim: string; value: string; hour: number; c: Float64Array };

/**
 * One flush's changes to the pre-aggregates, folded in memory (many hits of one hour and value
 * become one upsert), then written to the hour table and, summed, to the day table.
 */
export class AggFold {
  private rows = new Map<string, Row>();

  add(productId: string, dim: string, value: string, hour: number, slot: number, delta: number) {
    if (delta === 0) return;
    const key = productId + SEP + dim + SEP + value + SEP + hour;
    let r = this.rows.get(key);
    if (!r) this.rows.set(key, (r = { productId, dim, value, hour, c: new Float64Array(SLOTS) }));
    r.c[slot]! += delta;
  }

  get size() {
    return this.rows.size;
  }

  write(statements: AggStatements) {
    const days = new Map<string, Row>();
    for (const r of this.rows.values()) {
      if (r.c.every((x) => x === 0)) continue;
      statements.hour.run(r.productId, r.hour, r.dim, r.value, ...r.c);
      const day = Math.floor(r.hour / DAY_HOURS);
      const key = r.productId + SEP + r.dim + SEP + r.value + SEP + day;
      let d = days.get(key);
      if (!d) days.set(key, (d = { productId: r.productId, dim: r.dim, value: r.value, hour: day, c: new Float64Array(SLOTS) }));
      for (let i = 0; i < SLOTS; i++) d.c[i]! += r.c[i]!;
    }
    for (const d of days.values()) if (!d.c.every((x) => x === 0)) statements.day.run(d.productId, d.hour, d.dim, d.value, ...d.c);
    this.rows.clear();
  }
}

export type AggStatements = { hour: ReturnType<Database["prepare"]>; day: ReturnType<Database["prepare"]> };

export function prepareAgg(sqlite: Database): AggStatements {
  const upsert = (table: string) =>
    sqlite.prepare(
      `INSERT INTO ${table} (product_id, bucket, dim, value, first_seen, last_seen, visits, bounces, duration_ms, visit_pageviews, visit_events, pageviews, events, hour_seen)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (product_id, dim, bucket, value) DO UPDATE SET
         first_seen = first_seen + excluded.first_seen, last_seen = last_seen + excluded.last_seen,
         visits = visits + excluded.visits, bounces = bounces + excluded.bounces,
         duration_ms = duration_ms + excluded.duration_ms, visit_pageviews = visit_pageviews + excluded.visit_pageviews,
         visit_events = visit_events + excluded.visit_events,
         pageviews = pageviews + excluded.pageviews, events = events + excluded.events, hour_seen = hour_seen + excluded.hour_seen`,
    );
  return { hour: upsert("web_agg_hour"), day: upsert("web_agg_day") };
}

/**
 * Where each visitor-day (a visitor id on one UTC day) met each dimension value: the hours of
 * its occurrences, counted. The aggregates keep `first_seen` at the earliest hour and
 * `last_seen` at the latest; when an occurrence comes or goes (a visit's exit page moves), the
 * earliest and latest move with it and the fold gets the difference.
 *
 * Only days that can still change are kept (today, and the start days of open visits).
 */
export class Occurrences {
  private days = new Map<number, Map<string, Map<number, number>>>();
  /** While rebuilding from the tables after a restart: remember, but change no aggregate. */
  quiet = false;

  constructor(private fold: AggFold) {}

  add(productId: string, visitorId: number, dim: string, value: string, hour: number) {
    const day = Math.floor(hour / DAY_HOURS);
    let m = this.days.get(day);
    if (!m) this.days.set(day, (m = new Map()));
    const key = productId + SEP + visitorId + SEP + dim + SEP + value;
    const hours = m.get(key);
    if (!hours) {
      m.set(key, new Map([[hour, 1]]));
      this.move(productId, dim, value, F, undefined, hour);
      this.move(productId, dim, value, L, undefined, hour);
      this.move(productId, dim, value, H, undefined, hour);
      return;
    }
    const [lo, hi] = extent(hours);
    const n = hours.get(hour) ?? 0;
    hours.set(hour, n + 1);
    if (n === 0) this.move(productId, dim, value, H, undefined, hour);
    if (hour < lo) this.move(productId, dim, value, F, lo, hour);
    if (hour > hi) this.move(productId, dim, value, L, hi, hour);
  }

  remove(productId: string, visitorId: number, dim: string, value: string, hour: number) {
    const m = this.days.get(Math.floor(hour / DAY_HOURS));
    const key = productId + SEP + visitorId + SEP + dim + SEP + value;
    const hours = m?.get(key);
    const n = hours?.get(hour);
    if (!hours || !n) throw new Error(`web aggregates: no occurrence to remove (${dim})`);
    const [lo, hi] = extent(hours);
    if (n > 1) hours.set(hour, n - 1);
    else {
      hours.delete(hour);
      this.move(productId, dim, value, H, hour, undefined);
    }
    if (hours.size === 0) {
      m!.delete(key);
      this.move(productId, dim, value, F, lo, undefined);
      this.move(productId, dim, value, L, hi, undefined);
      return;
    }
    const [lo2, hi2] = extent(hours);
    if (lo2 !== lo) this.move(productId, dim, value, F, lo, lo2);
    if (hi2 !== hi) this.move(productId, dim, value, L, hi, hi2);
  }

  private move(productId: string, dim: string, value: string, slot: number, from: number | undefined, to: number | undefined) {
    if (this.quiet) return;
    if (from !== undefined) this.fold.add(productId, dim, value, from, slot, -1);
    if (to !== undefined) this.fold.add(productId, dim, value, to, slot, 1);
  }

  /** Forgets days before `keepFrom` (UTC day number): no occurrence can be added to them any more. */
  prune(keepFrom: number) {
    for (const day of this.days.keys()) if (day < keepFrom) this.days.delete(day);
  }

  hasDay(day: number) {
    return this.days.has(day);
  }

  forgetProduct(productId: string) {
    const prefix = productId + SEP;
    for (const m of this.days.values()) for (const key of m.keys()) if (key.startsWith(prefix)) m.delete(key);
  }

  clear() {
    this.days.clear();
  }
}

function extent(hours: Map<number, number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const h of hours.keys()) {
    if (h < lo) lo = h;
    if (h > hi) hi = h;
  }
  return [lo, hi];
}
