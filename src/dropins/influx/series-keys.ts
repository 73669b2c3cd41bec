/**
 * A request's series keys (the text of a line up to its first unescaped space) → what parsing one
 * gave, looked up by a hash of the text in place: no substring per line. Profiled on the bench's
 * 1000-line bodies (40 series): slice + Map.get was ~15% of the parse; this (FNV-1a over the
 * ~30 characters the key scan reads anyway, one startsWith to confirm) ~5%.
 */
export class SeriesKeys<V> {
  private table = new Int32Array(64); // entry index + 1, 0 = empty; open addressing, linear probing
  private readonly keys: string[] = [];
  private readonly hashes: number[] = [];
  private readonly values: V[] = [];

  get(s: string, start: number, end: number, hash: number): V | undefined {
    const mask = this.table.length - 1;
    const len = end - start;
    for (let j = hash & mask; ; j = (j + 1) & mask) {
      const e = this.table[j]! - 1;
      if (e < 0) return undefined;
      const key = this.keys[e]!;
      if (this.hashes[e] === hash && key.length === len && s.startsWith(key, start)) return this.values[e];
    }
  }

  /** After `get` found nothing for this key. */
  set(key: string, hash: number, value: V) {
    this.keys.push(key);
    this.hashes.push(hash);
    this.values.push(value);
    if (this.keys.length * 2 > this.table.length) this.rehash(this.table.length * 2);
    else this.place(this.table, this.keys.length - 1);
  }

  private place(table: Int32Array, e: number) {
    const mask = table.length - 1;
    let j = this.hashes[e]! & mask;
    while (table[j] !== 0) j = (j + 1) & mask;
    table[j] = e + 1;
  }

  private rehash(size: number) {
    this.table = new Int32Array(size);
    for (let e = 0; e < this.keys.length; e++) this.place(this.table, e);
  }
}

/** FNV-1a, one step per UTF-16 unit. */
export const FNV_OFFSET = 0x811c9dc5;
export const fnvStep = (h: number, c: number) => Math.imul(h ^ c, 0x01000193);

/**
 * What parsing a series key's text gave, kept across requests: writers send the same few
 * hundred series keys over and over, and reading one (tokens, name checks, canonical tags) once
 * per request was a quarter of the parse of a 1000-line body of 40 series (measured: 0.51-0.57
 * µs/pt without this cache, 0.34-0.45 with it). The result depends on the text alone, so any
 * request may reuse it. Bounded: past 10,000 keys or 2 M characters the cache starts over.
 */
export class RecentKeys<V> {
  private readonly map = new Map<string, V>();
  private chars = 0;

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V) {
    if (this.map.size >= 10_000 || this.chars + key.length > 2_000_000) {
      this.map.clear();
      this.chars = 0;
    }
    this.map.set(key, value);
    this.chars += key.length;
  }
}
