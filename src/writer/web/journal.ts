import type { Database } from "bun:sqlite";
import { AggFold, prepareAgg } from "./fold";

/**
 * The deferred half of the web pre-aggregates (web_fold_journal, src/db/schema/web-fold.ts).
 * A flush of tracker hits commits its raw rows, its visits and ONE journal row holding what the
 * flush changes in web_agg_hour / web_agg_day; `fold()` later merges all journal rows into one
 * set of upserts and deletes them, in one transaction. Measured in-process at 64 hits per flush
 * (what 64 connections give): the ~160 upserts per flush were ~12–20 µs of the writer's CPU per
 * hit; folded every few hundred ms, the same page views, sources and hours of a few thousand
 * hits share one upsert each.
 *
 * Crash replay needs nothing else: the journal rows left after a kill are exactly the changes
 * the aggregates lack (a fold deletes what it folded in the transaction that folds it), so the
 * writer folds them at start-up. Readers of the aggregates ask the writer to fold first
 * (WriteQueue.foldWeb, the read barrier), so no query sees a hit in raw rows and not in the
 * aggregates.
 */
export function createFoldJournal(sqlite: Database) {
  const insert = sqlite.prepare("INSERT INTO web_fold_journal (deltas) VALUES (?)");
  const all = sqlite.prepare("SELECT id, deltas FROM web_fold_journal ORDER BY id");
  const upTo = sqlite.prepare("DELETE FROM web_fold_journal WHERE id <= ?");
  const any = sqlite.prepare("SELECT 1 AS x FROM web_fold_journal LIMIT 1");
  const agg = prepareAgg(sqlite);
  // True whenever rows may be waiting (a rolled-back append leaves it true: one fold finds nothing).
  let pending = any.get() !== null;

  return {
    /** Inside the flush transaction: the flush's changes become one journal row; `fold` is emptied. */
    append(fold: AggFold) {
      const deltas = fold.serialize();
      fold.clear();
      if (deltas === null) return;
      insert.run(deltas);
      pending = true;
    },
    pending: () => pending,
    /** Folds every journal row into the aggregates, in a transaction of its own; how many rows it folded. */
    fold(): number {
      if (!pending) return 0;
      if (sqlite.inTransaction) throw new Error("web journal: fold() runs in its own transaction");
      sqlite.exec("BEGIN IMMEDIATE");
      try {
        const rows = all.all() as { id: number; deltas: string }[];
        const merged = new AggFold();
        for (const r of rows) merged.merge(r.deltas);
        merged.write(agg);
        if (rows.length) upTo.run(rows[rows.length - 1]!.id);
        sqlite.exec("COMMIT");
        pending = false;
        return rows.length;
      } catch (err) {
        if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
        throw err;
      }
    },
  };
}
export type FoldJournal = ReturnType<typeof createFoldJournal>;
