import { afterEach, describe, expect, test } from "bun:test";
import { DAY, HOUR, MIN, iso, startBed, type Bed } from "./support";

/**
 * Each condition kind with a fixed clock and generated data sent through the real API: the
 * episode starts at exactly the boundary the definition says and resolves at exactly the one
 * where it stops holding. At boundary B a rule's window is [B − window, B).
 */
const T0 = Date.UTC(2026, 2, 2, 10, 0); // Monday 2026-03-02 10:00 UTC
let bed: Bed | null = null;
afterEach(async () => {
  await bed?.stop();
  bed = null;
});

describe("alert conditions fire and resolve at the expected minute", () => {
  test("threshold: sum over 5 minutes above 3", async () => {
    bed = await startBed({ start: T0 });
    // One signup a minute from 10:10 to 10:19 (at :30 s). At 10:14 the window [10:09, 10:14) holds 4.
    await bed.ingest(Array.from({ length: 10 }, (_, i) => ({ metric: "signups", value: 1, at: T0 + (10 + i) * MIN + 30_000 })));
    const rule = await bed.createRule({ name: "Signups spike", query: { metric: "signups", aggregation: "sum" }, window: "5m", condition: { op: ">", value: 3 } });
    await bed.stepTo(T0 + 13 * MIN);
    expect(bed.episodes(rule.id)).toEqual([]);
    await bed.stepTo(T0 + 14 * MIN);
    expect(bed.episodes(rule.id)).toEqual([{ startedAt: iso(T0 + 14 * MIN), resolvedAt: null, status: "active", startValue: 4, threshold: 3 }]);
    await bed.stepTo(T0 + 40 * MIN);
    // [10:17, 10:22) holds 3 (10:17, 10:18, 10:19): resolved at 10:22.
    expect(bed.episodes(rule.id)).toEqual([{ startedAt: iso(T0 + 14 * MIN), resolvedAt: iso(T0 + 22 * MIN), status: "resolved", startValue: 4, threshold: 3 }]);
    const got = (await (await bed.api("GET", `/api/v1/alerts/${rule.id}`)).json()) as any;
    expect(got.state).toBe("ok");
    expect(got.episodes).toHaveLength(1);
  });

  test("threshold: a catch-up after downtime judges every missed minute (the same episode as minute by minute)", async () => {
    bed = await startBed({ start: T0 });
    await bed.ingest(Array.from({ length: 10 }, (_, i) => ({ metric: "signups", value: 1, at: T0 + (10 + i) * MIN + 30_000 })));
    const rule = await bed.createRule({ name: "Signups spike", query: { metric: "signups", aggregation: "sum" }, window: "5m", condition: { op: ">", value: 3 } });
    await bed.stepTo(T0 + 40 * MIN, 40 * MIN); // one tick, 40 minutes late
    expect(bed.episodes(rule.id).map((e) => [e.startedAt, e.resolvedAt])).toEqual([[iso(T0 + 14 * MIN), iso(T0 + 22 * MIN)]]);
  });

  test("z-score: an hourly count 3σ above the last day", async () => {
    bed = await startBed({ start: T0 });
    const points: { metric: string; value: number; at: number }[] = [];
    // Two days of baseline: 1 error a minute, and 1 more every 5th minute in even hours (hourly sums 60 or 72).
    for (let t = T0 - 2 * DAY; t < T0 + 2 * HOUR; t += MIN) {
      const hourEven = Math.floor(t / HOUR) % 2 === 0;
      points.push({ metric: "errors", value: 1 + (hourEven && (t / MIN) % 5 === 0 ? 1 : 0), at: t + 1000 });
    }
    // From 10:30 to 10:50, 3 extra errors a minute.
    for (let t = T0 + 30 * MIN; t < T0 + 50 * MIN; t += MIN) points.push({ metric: "errors", value: 3, at: t + 2000 });
    await bed.ingest(points);
    const rule = await bed.createRule({ name: "Errors", query: { metric: "errors", aggregation: "sum" }, window: "1h", condition: { anomaly: "zscore", threshold: 3, lookback: "1d" } });
    // The baseline is the 24 clock hours before the current window: 60 and 72 alternating, μ 66, σ ≈ 6.3, so the
    // bound is ~84.8 errors in the last 60 minutes. The spike adds 3 a minute from 10:30; the reference (the same
    // definition from raw points) says at which minute the window crosses it, and when it falls back.
    const ref = referenceZ(points, T0, T0 + 2 * HOUR, HOUR, 24, 3);
    expect(ref.length).toBe(1);
    expect(Date.parse(ref[0]![0])).toBeGreaterThan(T0 + 30 * MIN);
    await bed.stepTo(T0 + 2 * HOUR);
    expect(bed.episodes(rule.id).map((e) => [e.startedAt, e.resolvedAt])).toEqual(ref);
  });

  test("rolling mean: a 10-minute sum above 2× the mean of the last hour's 10-minute windows, and back", async () => {
    bed = await startBed({ start: T0 });
    const points: { metric: string; value: number; at: number }[] = [];
    for (let t = T0 - 2 * HOUR; t < T0 + HOUR; t += MIN) points.push({ metric: "checkout_errors", value: 1, at: t + 5000 });
    // 10:20–10:29: 4 more a minute. Window sums (10 min) are 10 in the baseline: the bound is 2 × mean.
    for (let t = T0 + 20 * MIN; t < T0 + 30 * MIN; t += MIN) points.push({ metric: "checkout_errors", value: 4, at: t + 6000 });
    await bed.ingest(points);
    const rule = await bed.createRule({ name: "Checkout errors", query: { metric: "checkout_errors", aggregation: "sum" }, window: "10m", condition: { anomaly: "rolling_mean", factor: 2, lookback: "1h" } });
    // At 10:23 the window [10:13, 10:23) holds 10 + 3×4 = 22 > 2 × 10 (the six 10-minute windows 09:10–10:10 hold 10 each): fires.
    // At 10:22: 10 + 2×4 = 18, not above 20.
    await bed.stepTo(T0 + 22 * MIN);
    expect(bed.episodes(rule.id)).toEqual([]);
    await bed.stepTo(T0 + 23 * MIN);
    expect(bed.episodes(rule.id)[0]).toMatchObject({ startedAt: iso(T0 + 23 * MIN), startValue: 22, threshold: 20 });
    // Later the baseline holds the spike's windows too; the reference says where it ends.
    const ref = referenceRolling(points, T0, T0 + HOUR, 10 * MIN, 6, 2);
    expect(ref[0]![0]).toBe(iso(T0 + 23 * MIN));
    await bed.stepTo(T0 + HOUR);
    expect(bed.episodes(rule.id).map((e) => [e.startedAt, e.resolvedAt])).toEqual(ref);
  });

  test("seasonal: this Monday 11:00–12:00 against the last 3 Mondays at that hour, in Berlin time across the DST change", async () => {
    // 2026-03-29 is the DST change in Europe/Berlin: the Mondays before were UTC+1, this one UTC+2.
    const monday = Date.UTC(2026, 3, 6, 8, 0); // Monday 2026-04-06 10:00 Berlin (UTC+2)
    bed = await startBed({ start: monday, timezone: "Europe/Berlin" });
    const points: { metric: string; value: number; at: number }[] = [];
    // One point a hour at :01 for the past 3 weeks: 10 orders at local 11:00 on Mondays (their UTC hour moves
    // with DST), 50 otherwise, plus the week's number as noise so σ > 0.
    const localHour = (t: number) => Number(new Intl.DateTimeFormat("en-GB", { hour: "2-digit", hour12: false, timeZone: "Europe/Berlin" }).format(t));
    const localDay = (t: number) => new Intl.DateTimeFormat("en-GB", { weekday: "short", timeZone: "Europe/Berlin" }).format(t);
    for (let t = monday - 3 * 7 * DAY; t < monday; t += HOUR) {
      const week = Math.floor((monday - t) / (7 * DAY));
      const quiet = localDay(t) === "Mon" && localHour(t) === 11;
      points.push({ metric: "orders", value: (quiet ? 10 : 50) + week, at: t + MIN });
    }
    // Today as usual (51 at :01), except 11:00–12:00 Berlin (09:00–10:00 UTC): 50 orders, one a minute from 11:00,
    // five times a usual Monday 11:00 although an ordinary hour for any other day.
    for (let t = monday; t < monday + 3 * HOUR; t += HOUR) if (t !== monday + HOUR) points.push({ metric: "orders", value: 51, at: t + MIN });
    for (let i = 0; i < 50; i++) points.push({ metric: "orders", value: 1, at: monday + HOUR + i * MIN + 10_000 });
    await bed.ingest(points);
    const rule = await bed.createRule({ name: "Orders vs usual Monday", query: { metric: "orders", aggregation: "sum" }, window: "1h", condition: { anomaly: "seasonal", threshold: 3, weeks: 3, direction: "above" } });
    // The last three Mondays' 11:01 points were 10, 11 and 12 (μ 11, σ 1): a window ending in 11:02–12:01 fires
    // once it holds 14 of today's orders, at 11:14 Berlin = 09:14 UTC. It resolves once the spike has left the
    // window: the reference, with the same definition from raw points, says where.
    const ref = referenceSeasonal(points, monday, monday + 3 * HOUR, HOUR, 3, 3);
    expect(ref[0]![0]).toBe(iso(monday + HOUR + 14 * MIN));
    await bed.stepTo(monday + 3 * HOUR);
    expect(bed.episodes(rule.id).map((e) => [e.startedAt, e.resolvedAt])).toEqual(ref);
  });
});

describe("inventory conditions", () => {
  const sku = { sku: "SKU-42" };
  /** Stock reported every 10 minutes (at :00:30 of the minute), sales 2 an hour for the last 8 days. */
  function stockData(levels: [number, number][]) {
    const points: { metric: string; value: number; at: number; tags?: Record<string, string> }[] = [];
    for (let t = T0 - 8 * DAY; t < T0 + 2 * HOUR; t += 30 * MIN) points.push({ metric: "units_sold", value: 1, at: t + 1000, tags: sku });
    for (const [minute, level] of levels) points.push({ metric: "stock", value: level, at: T0 + minute * MIN + 30_000, tags: sku });
    return points;
  }
  const stockQuery = { metric: "stock", aggregation: "min", filters: sku };

  test("low stock: fires the minute after the report below the threshold, resolves after the restock", async () => {
    bed = await startBed({ start: T0 });
    await bed.ingest(stockData([[0, 14], [10, 12], [20, 9], [30, 7], [40, 60]]));
    const rule = await bed.createRule({ name: "SKU-42 low", query: stockQuery, window: "1h", condition: { inventory: "low_stock", below: 10 } });
    await bed.stepTo(T0 + HOUR);
    // The report of 9 sits in minute 10:20, so the first window holding it ends at 10:21; the restock (10:40) ends it at 10:41.
    expect(bed.episodes(rule.id)).toEqual([{ startedAt: iso(T0 + 21 * MIN), resolvedAt: iso(T0 + 41 * MIN), status: "resolved", startValue: 9, threshold: 10 }]);
  });

  test("predicted stockout: days left at the 7-day velocity below 5", async () => {
    bed = await startBed({ start: T0 });
    // Velocity: 2 sold an hour = 48 a day. 300 units = 6.25 days (fine), 200 = 4.17 days (fires), 260 = 5.42 (resolves).
    await bed.ingest(stockData([[0, 300], [15, 200], [35, 260]]));
    const rule = await bed.createRule({ name: "SKU-42 runs out", query: stockQuery, window: "1h", condition: { inventory: "predicted_stockout", sales: { metric: "units_sold", filters: sku }, days: 5 } });
    await bed.stepTo(T0 + HOUR);
    const [ep] = bed.episodes(rule.id);
    expect([ep!.startedAt, ep!.resolvedAt]).toEqual([iso(T0 + 16 * MIN), iso(T0 + 36 * MIN)]);
    expect(ep!.startValue).toBeCloseTo(200 / 48, 9);
    expect(ep!.threshold).toBe(5);
  });

  test("reorder point: velocity × lead time + safety stock", async () => {
    bed = await startBed({ start: T0 });
    // 48 a day × 3 days + 20 = 164: 170 is above it, 164 is at it (fires), 400 after a delivery.
    await bed.ingest(stockData([[0, 170], [5, 164], [25, 400]]));
    const rule = await bed.createRule({ name: "SKU-42 reorder", query: stockQuery, window: "1h", condition: { inventory: "reorder_point", sales: { metric: "units_sold", filters: sku }, leadTimeDays: 3, safetyStock: 20 } });
    await bed.stepTo(T0 + HOUR);
    expect(bed.episodes(rule.id)).toEqual([{ startedAt: iso(T0 + 6 * MIN), resolvedAt: iso(T0 + 26 * MIN), status: "resolved", startValue: 164, threshold: 164 }]);
  });

  test("an episode can be acknowledged (active → acknowledged → resolved)", async () => {
    bed = await startBed({ start: T0 });
    await bed.ingest(stockData([[0, 5], [30, 50]]));
    const rule = await bed.createRule({ name: "SKU-42 low", query: stockQuery, window: "1h", condition: { inventory: "low_stock", below: 10 } });
    await bed.stepTo(T0 + 5 * MIN);
    const got = (await (await bed.api("GET", `/api/v1/alerts/${rule.id}`)).json()) as any;
    expect(got.episode.status).toBe("active");
    const ack = await bed.api("POST", `/api/v1/alerts/${rule.id}/episodes/${got.episode.id}/acknowledge`);
    expect(((await ack.json()) as any).status).toBe("acknowledged");
    await bed.stepTo(T0 + 40 * MIN);
    expect(bed.episodes(rule.id).map((e) => e.status)).toEqual(["resolved"]);
  });
});

// ── naive references: raw points straight into the definitions ──
type P = { value: number; at: number };
const windowSum = (points: P[], from: number, to: number) => points.filter((p) => p.at >= from && p.at < to).reduce((a, p) => a + p.value, 0);
const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sdOf = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - meanOf(xs)) ** 2, 0) / (xs.length - 1));

/** Every episode of a condition judged at each boundary in (from, to]: [start, end | null][]. */
function episodesOf(from: number, to: number, firing: (b: number) => boolean): [string, string | null][] {
  const out: [string, string | null][] = [];
  let open: number | null = null;
  for (let b = from + MIN; b <= to; b += MIN) {
    const f = firing(b);
    if (open === null && f) open = b;
    else if (open !== null && !f) {
      out.push([iso(open), iso(b)]);
      open = null;
    }
  }
  if (open !== null) out.push([iso(open), null]);
  return out;
}

/** The baseline: the n whole windows on the window's grid (UTC) that ended before the current window began. */
function aligned(points: P[], b: number, w: number, n: number): number[] {
  const end = Math.floor((b - w) / w) * w;
  return Array.from({ length: n }, (_, i) => windowSum(points, end - (i + 1) * w, end - i * w));
}

function referenceZ(points: P[], from: number, to: number, w: number, n: number, k: number) {
  return episodesOf(from, to, (b) => {
    const v = windowSum(points, b - w, b);
    const base = aligned(points, b, w, n);
    const m = meanOf(base), s = sdOf(base);
    return s === 0 ? v !== m : Math.abs(v - m) >= k * s;
  });
}

function referenceRolling(points: P[], from: number, to: number, w: number, n: number, factor: number) {
  return episodesOf(from, to, (b) => {
    return windowSum(points, b - w, b) > factor * meanOf(aligned(points, b, w, n));
  });
}

function referenceSeasonal(points: P[], from: number, to: number, w: number, weeks: number, k: number) {
  // Same local time k weeks ago in Berlin: the UTC instant shifts by the offset difference.
  const offset = (t: number) => {
    const s = new Intl.DateTimeFormat("en-US", { timeZone: "Europe/Berlin", timeZoneName: "longOffset" }).format(t);
    const m = /GMT([+-]\d\d):(\d\d)/.exec(s);
    return m ? (Number(m[1]) * 60 + Math.sign(Number(m[1])) * Number(m[2])) * MIN : 0;
  };
  const back = (b: number, i: number) => {
    const local = b + offset(b) - i * 7 * DAY;
    return local - offset(local - offset(b));
  };
  return episodesOf(from, to, (b) => {
    const v = windowSum(points, b - w, b);
    const base = Array.from({ length: weeks }, (_, i) => {
      const e = back(b, i + 1);
      return windowSum(points, e - w, e);
    });
    const m = meanOf(base), s = sdOf(base);
    return s === 0 ? v > m : v >= m + k * s; // direction "above"
  });
}
