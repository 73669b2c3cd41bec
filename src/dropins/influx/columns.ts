import type { PointColumns } from "../../writer/batch";
import { canonicalTags } from "../../writer/series-registry";

const LEAF = "\u0000"; // never in a metric name (no control characters)

/**
 * A request's points in the writer's columns (PointsBatch: the distinct series once, then a slot,
 * timestamp and value per point), filled while line protocol is parsed, so no object is made per
 * point and no per-point lookup finds its series: the parser keeps each series' slot next to the
 * series key it already caches. Two spellings (tag orders) of one tag set share a slot, as in
 * `pointsColumns`.
 */
export class ColumnBuilder {
  n = 0;
  private slot = new Uint32Array(1024);
  private ts = new Float64Array(1024);
  private value = new Float64Array(1024);
  private readonly series: PointColumns["series"] = [];
  private readonly uses: number[] = []; // points per slot, so slots of refused lines can be left out
  private readonly byCanonical = new Map<string, number>();

  /** The slot of a metric and tag set (`canonical`: canonicalTags(tags), which the caller keeps per series key). */
  slotOf(metric: string, tags: Record<string, string>, canonical: string): number {
    const key = metric + LEAF + canonical;
    let index = this.byCanonical.get(key);
    if (index === undefined) {
      index = this.series.length;
      this.series.push({ metric, canonical, tags });
      this.uses.push(0);
      this.byCanonical.set(key, index);
    }
    return index;
  }

  /** A point whose timestamp `stamp` sets once its line is read. */
  push(slot: number, value: number) {
    if (this.n === this.slot.length) this.grow();
    this.slot[this.n] = slot;
    this.value[this.n] = value;
    this.uses[slot]!++;
    this.n++;
  }

  stamp(from: number, tsMs: number) {
    // A loop, not ts.fill: a native call per line cost ~15% of the parse (measured, 1 point a line).
    const ts = this.ts;
    for (let k = from; k < this.n; k++) ts[k] = tsMs;
  }

  /** Drops the points from `n` on (a line that turned out bad). */
  truncate(n: number) {
    for (let k = n; k < this.n; k++) this.uses[this.slot[k]!]!--;
    this.n = n;
  }

  finish(): PointColumns {
    const n = this.n;
    const slot = this.slot.subarray(0, n);
    const columns = { series: this.series, slot, ts: this.ts.subarray(0, n), value: this.value.subarray(0, n) };
    if (!this.uses.includes(0)) return columns;
    // A refused line may have named a series no stored point has: leave it out (it would be created empty).
    const renumber = new Uint32Array(this.series.length);
    const kept: PointColumns["series"] = [];
    this.series.forEach((s, k) => {
      if (this.uses[k]! > 0) renumber[k] = kept.push(s) - 1;
    });
    for (let k = 0; k < n; k++) slot[k] = renumber[slot[k]!]!;
    return { ...columns, series: kept };
  }

  private grow() {
    const size = this.slot.length * 2;
    const slot = new Uint32Array(size);
    const ts = new Float64Array(size);
    const value = new Float64Array(size);
    slot.set(this.slot);
    ts.set(this.ts);
    value.set(this.value);
    this.slot = slot;
    this.ts = ts;
    this.value = value;
  }
}
