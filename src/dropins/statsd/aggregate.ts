import { canonicalTags } from "../../writer/series-registry";
import type { PointRecord } from "../../writer/batch";
import type { StatsdSample } from "./parse";

/**
 * StatsD's flush-interval aggregation, in memory between flushes. Per (name, type, tags):
 * - counter → `<name>`: the sum of value / sample rate (counts what the clients meant to send);
 * - gauge → `<name>`: the last value; `+n` / `−n` change the last value, which is kept across
 *   flushes as StatsD keeps it (a gauge is only written for an interval in which it was sent);
 * - timer / histogram / distribution → `<name>.count` (samples / rate), `<name>.sum`,
 *   `<name>.min`, `<name>.max` of the values received;
 * - set → `<name>`: how many distinct members arrived in the interval.
 * Every point of a flush carries the flush time. A bounded number of keys per interval protects
 * the memory from a client that invents names: the rest is dropped and counted.
 */
export const MAX_KEYS_PER_FLUSH = 100_000;

type Entry =
  | { type: "counter"; name: string; tags: Record<string, string>; total: number }
  | { type: "gauge"; name: string; tags: Record<string, string>; value: number }
  | { type: "timer"; name: string; tags: Record<string, string>; count: number; sum: number; min: number; max: number }
  | { type: "set"; name: string; tags: Record<string, string>; members: Set<string> };

export class StatsdAggregator {
  private entries = new Map<string, Entry>();
  /** The last value of every gauge ever seen, for +/- changes. */
  private gauges = new Map<string, number>();
  dropped = 0;

  add(s: StatsdSample) {
    const key = `${s.type}\u0000${s.name}\u0000${canonicalTags(s.tags)}`;
    let e = this.entries.get(key);
    if (!e) {
      if (this.entries.size >= MAX_KEYS_PER_FLUSH) return void this.dropped++;
      e = fresh(s, this.gauges.get(key));
      this.entries.set(key, e);
    }
    switch (e.type) {
      case "counter":
        e.total += s.value / s.rate;
        break;
      case "gauge":
        e.value = s.delta ? e.value + s.value : s.value;
        if (this.gauges.size < MAX_KEYS_PER_FLUSH || this.gauges.has(key)) this.gauges.set(key, e.value);
        break;
      case "timer":
        e.count += 1 / s.rate;
        e.sum += s.value;
        if (s.value < e.min) e.min = s.value;
        if (s.value > e.max) e.max = s.value;
        break;
      case "set":
        e.members.add(s.member!);
        break;
    }
  }

  get size() {
    return this.entries.size;
  }

  /** This interval's points, stamped `at`; the interval starts over. */
  drain(at: number): PointRecord[] {
    const out: PointRecord[] = [];
    const point = (metric: string, value: number, tags: Record<string, string>) => out.push({ metric, value, tsMs: at, tags });
    for (const e of this.entries.values()) {
      if (e.type === "counter") point(e.name, e.total, e.tags);
      else if (e.type === "gauge") point(e.name, e.value, e.tags);
      else if (e.type === "set") point(e.name, e.members.size, e.tags);
      else {
        point(`${e.name}.count`, e.count, e.tags);
        point(`${e.name}.sum`, e.sum, e.tags);
        point(`${e.name}.min`, e.min, e.tags);
        point(`${e.name}.max`, e.max, e.tags);
      }
    }
    this.entries.clear();
    return out;
  }
}

function fresh(s: StatsdSample, lastGauge: number | undefined): Entry {
  const base = { name: s.name, tags: s.tags };
  switch (s.type) {
    case "counter":
      return { ...base, type: "counter", total: 0 };
    case "gauge":
      return { ...base, type: "gauge", value: lastGauge ?? 0 };
    case "timer":
      return { ...base, type: "timer", count: 0, sum: 0, min: Infinity, max: -Infinity };
    case "set":
      return { ...base, type: "set", members: new Set() };
  }
}
