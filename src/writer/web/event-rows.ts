import type { Database, Statement } from "bun:sqlite";

const COLUMNS = ["product_id", "session_id", "visitor_id", "ts_ms", "name", "hostname", "pathname", "props", "engaged_ms", "scroll_depth", "revenue_amount", "revenue_currency"] as const;
const WIDTH = COLUMNS.length;
// Rows per multi-row INSERT, largest first. Measured on web_events (its two indexes, WAL, 32 rows
// per transaction): one 12-argument run per row cost 5–7 µs a row, 32 rows per run 3.0–3.6 µs;
// the native call and its binding, not the B-tree work, were most of it.
const CHUNKS = [32, 8, 1] as const;

export type EventRow = [
  productId: string, sessionId: number, visitorId: number, tsMs: number, name: string, hostname: string, pathname: string,
  props: string | null, engagedMs: number | null, scrollDepth: number | null, revenueAmount: number | null, revenueCurrency: string | null,
];

/**
 * The raw hits of one flush (web_events), gathered while the flush applies its batches and
 * inserted at its end, in arrival order, with multi-row INSERTs. Nothing in the flush reads
 * web_events between the two (visits are rebuilt from it only for a product not yet loaded,
 * before that product's first hit is applied), and both happen inside the one transaction.
 */
export function createEventRows(sqlite: Database) {
  const inserts: Statement[] = CHUNKS.map((n) =>
    sqlite.prepare(`INSERT INTO web_events (${COLUMNS.join(", ")}) VALUES ${Array(n).fill(`(${Array(WIDTH).fill("?").join(", ")})`).join(", ")}`),
  );
  // One argument array per chunk size, refilled for every statement (no slice or spread per run).
  const args = CHUNKS.map((n) => new Array<string | number | null>(n * WIDTH));
  let rows: EventRow[] = [];

  return {
    add(row: EventRow) {
      rows.push(row);
    },
    /** Inserts what was added, in order; inside the flush transaction. */
    write() {
      let at = 0;
      for (let c = 0; c < CHUNKS.length; c++) {
        const n = CHUNKS[c]!;
        const a = args[c]!;
        for (; at + n <= rows.length; at += n) {
          for (let r = 0; r < n; r++) {
            const row = rows[at + r]!;
            for (let k = 0; k < WIDTH; k++) a[r * WIDTH + k] = row[k]!;
          }
          inserts[c]!.run(...(a as never[]));
        }
      }
      rows = [];
    },
    /** The transaction rolled back. */
    clear() {
      rows = [];
    },
  };
}
