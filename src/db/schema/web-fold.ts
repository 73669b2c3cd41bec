import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

/**
 * Pre-aggregate changes of web flushes not yet folded into web_agg_hour / web_agg_day
 * (src/writer/web/journal.ts). Each flush that stores hits writes its folded changes here as one
 * row, in the transaction that stores the raw hits; the writer folds the rows into the
 * aggregates every few hundred milliseconds (and before any web query, any maintenance op, at
 * close and at start-up), deleting them in the same transaction. So after a crash nothing is
 * lost or counted twice: the rows left here are exactly the changes the aggregates lack.
 */
export const webFoldJournal = sqliteTable("web_fold_journal", {
  id: integer("id").primaryKey(),
  /** JSON: [productId, "dim SEP value", hour, ...10 counter deltas][] (src/writer/web/fold.ts). */
  deltas: text("deltas").notNull(),
});
