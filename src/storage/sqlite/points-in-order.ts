import type { Database } from "bun:sqlite";
import type { Fragment } from "../../query/sql";
import type { PointBatches, PointRow } from "../../query/export-rows";
import { BLOCK_MS, blockOf, decodeBlock } from "./point-blocks";

/**
 * The raw points of a set of series in [from, to), in time order, ties by series id (the CSV
 * export). Hour blocks partition time, so reading a run of consecutive hours of every series,
 * decoding and sorting it gives the next stretch of the answer; memory stays bounded by one run.
 * The run adapts so it holds about TARGET_ROWS points (one hour at least), and an empty run jumps
 * straight to the next hour that has a block (one index seek per series), so gaps and a range
 * that starts long before the data cost nothing. Points of one series at one time keep the order
 * they arrived in (the sort is stable, blocks are read in the order they were written).
 */
const TARGET_ROWS = 8192;

const byTimeThenSeries = (a: PointRow, b: PointRow) => a.t - b.t || a.s - b.s;

export function pointsInTimeOrder(conn: Database, ids: Fragment, from: number, to: number): PointBatches {
  // prepare, not query: query() caches by SQL text, and two exports on one connection would share a cursor.
  const run = conn.prepare(
    `SELECT series_id AS s, block AS k, data AS d FROM point_blocks WHERE series_id IN (${ids.sql}) AND block >= ? AND block <= ? ORDER BY series_id, id`,
  );
  const nextBlock = conn.prepare(
    `SELECT min((SELECT b.block FROM point_blocks b WHERE b.series_id = x.id AND b.block >= ? AND b.block <= ? ORDER BY b.block LIMIT 1)) AS k FROM (${ids.sql}) x`,
  );
  const last = to > from ? blockOf(to - 1) : -Infinity;
  const firstAtOrAfter = (k: number): number | null => (k > last ? null : (nextBlock.get(k, last, ...ids.params) as { k: number | null }).k);

  let at: number | null | undefined; // the next hour block to read; undefined: not started
  let span = 1; // hours per run
  let pending: PointRow[] = []; // a sorted run not all handed out yet (a run larger than TARGET_ROWS goes out in pieces)
  let given = 0; // how much of `pending` has been handed out
  let closed = false;

  function readRun(k0: number, k1: number): PointRow[] {
    const rows: PointRow[] = [];
    for (const r of run.iterate(...ids.params, k0, k1) as IterableIterator<{ s: number; k: number; d: string }>) {
      const base = r.k * BLOCK_MS;
      for (const [offset, v] of decodeBlock(r.d)) {
        const t = base + offset;
        if (t >= from && t < to) rows.push({ s: r.s, t, v });
      }
    }
    return rows.sort(byTimeThenSeries);
  }

  return {
    next() {
      if (closed) return null;
      if (given < pending.length) return take();
      if (at === undefined) at = from < to ? firstAtOrAfter(blockOf(from)) : null;
      while (at !== null && at <= last) {
        const end = Math.min(last, at + span - 1);
        const rows = readRun(at, end);
        if (!rows.length) {
          at = firstAtOrAfter(end + 1);
          continue;
        }
        at = end + 1;
        span = Math.max(1, Math.min(span * 4, Math.floor((span * TARGET_ROWS) / rows.length)));
        pending = rows;
        given = 0;
        return take();
      }
      return null;
    },
    close() {
      if (closed) return;
      closed = true;
      pending = [];
      run.finalize();
      nextBlock.finalize();
    },
  };

  function take(): PointRow[] {
    const out = given === 0 && pending.length <= TARGET_ROWS ? pending : pending.slice(given, given + TARGET_ROWS);
    given += out.length;
    return out;
  }
}
