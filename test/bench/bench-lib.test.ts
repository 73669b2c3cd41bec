import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { join } from "node:path";
import { openDatabase, closeDatabase } from "../../src/db/connection";
import { migrate } from "../../src/db/migrate";
import { batches, pointsOf, shuffledIndex, SPAN_END, SPAN_START, toLineProtocol, toOurJson, SERIES } from "../../bench/lib/points";
import { bucketStarts, expected, Reference, sameValue, type Granularity } from "../../bench/lib/reference";
import { median, percentile } from "../../bench/lib/stats";
import { tempDir } from "../helpers/server";

/** The benchmark's own arithmetic: if these are wrong, every ratio it prints is. */
describe("bench data set", () => {
  test("shuffledIndex walks every index of the slice exactly once", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), (len) => {
        const perm = shuffledIndex(len);
        const seen = new Set(Array.from({ length: len }, (_, k) => perm(k)));
        return seen.size === len && [...seen].every((i) => i >= 0 && i < len);
      }),
    );
  });

  test("point(i) is deterministic, inside the 30 days, and unique per series and time", () => {
    const n = 200_000;
    const point = pointsOf(n);
    expect(point(12345)).toEqual(pointsOf(n)(12345));
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const p = point(i);
      expect(p.tsMs >= SPAN_START && p.tsMs < SPAN_END).toBe(true);
      const key = `${p.tags.host}/${p.tags.env}/${p.tsMs}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
    expect(new Set(Array.from({ length: 100 }, (_, i) => JSON.stringify(point(i).tags))).size).toBe(SERIES);
  });

  test("both wire formats carry the same points", () => {
    const [batch] = [...batches(pointsOf(1000), 0, 10, 10)];
    const json = JSON.parse(toOurJson(batch!)) as { value: number; timestamp: string; tags: Record<string, string> }[];
    const lines = toLineProtocol(batch!).trim().split("\n");
    batch!.forEach((p, k) => {
      expect(json[k]!.value).toBe(p.value);
      expect(Date.parse(json[k]!.timestamp)).toBe(p.tsMs);
      expect(json[k]!.tags).toEqual(p.tags);
      expect(lines[k]).toBe(`cpu,env=${p.tags.env},host=${p.tags.host},region=${p.tags.region} value=${p.value} ${p.tsMs}`);
    });
  });
});

describe("bench statistics", () => {
  test("median and nearest-rank percentiles", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
  });
});

describe("raw-SQL reference", () => {
  test("bucket starts tile the range for every granularity", () => {
    expect(bucketStarts("week", SPAN_START, SPAN_END).map((t) => new Date(t).toISOString().slice(0, 10))).toEqual(["2025-09-01", "2025-09-08", "2025-09-15", "2025-09-22", "2025-09-29"]);
    expect(bucketStarts("month", SPAN_START, SPAN_END + 86_400_000)).toEqual([SPAN_START, Date.UTC(2025, 9, 1)]);
    expect(bucketStarts("hour", SPAN_START, SPAN_END)).toHaveLength(720);
  });

  test("per-bucket aggregates from SQL equal a plain fold over the same points", async () => {
    const dir = tempDir();
    const path = join(dir.path, "ref.db");
    const db = openDatabase(path);
    try {
      await migrate(db.$client);
      const sqlite = db.$client;
      const ids = [1, 2].map((k) => (sqlite.query("INSERT INTO series (product_id, metric, tags_hash, tags, created_at) VALUES ('p', 'cpu', ?, ?, 0) RETURNING id").get(`h${k}`, JSON.stringify({ region: k === 1 ? "eu" : "us" })) as { id: number }).id);
      sqlite.query("INSERT INTO series (product_id, metric, tags_hash, tags, created_at) VALUES ('p', 'cpu', '*', '*', 0)").run();
      const rows = Array.from({ length: 3000 }, (_, i) => ({ s: ids[i % 2]!, t: SPAN_START + ((i * 7919 * 60_000) % (SPAN_END - SPAN_START)), v: ((i * 37) % 101) - 50.5 }));
      const insert = sqlite.prepare("INSERT INTO points (series_id, ts_ms, value) VALUES (?, ?, ?)");
      sqlite.transaction(() => rows.forEach((r) => insert.run(r.s, r.t, r.v)))();
      const ref = new Reference(path);
      expect(ref.seriesIds("p", "cpu", {})).toEqual(ids);
      expect(ref.seriesIds("p", "cpu", { region: "eu" })).toEqual([ids[0]!]);
      for (const g of ["minute", "hour", "day", "week", "month"] as Granularity[]) {
        const got = ref.buckets(ids, g, SPAN_START, SPAN_END);
        const starts = bucketStarts(g, SPAN_START, SPAN_END);
        for (const agg of ["sum", "count", "avg", "min", "max"]) {
          for (const start of starts.slice(0, 200)) {
            const next = starts[starts.indexOf(start) + 1] ?? SPAN_END;
            const vs = rows.filter((r) => r.t >= start && r.t < next).map((r) => r.v);
            const want = vs.length === 0 ? (agg === "sum" || agg === "count" ? 0 : null) : agg === "sum" ? vs.reduce((a, b) => a + b, 0) : agg === "count" ? vs.length : agg === "avg" ? vs.reduce((a, b) => a + b, 0) / vs.length : agg === "min" ? Math.min(...vs) : Math.max(...vs);
            expect(sameValue(agg, expected(got.get(start), agg), want)).toBe(true);
          }
        }
      }
      ref.close();
    } finally {
      closeDatabase(db);
      dir.remove();
    }
  }, 30_000);
});
