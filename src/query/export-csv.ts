import { Database, type Statement } from "bun:sqlite";
import { csvText } from "./csv-cell";
import { MAX_TAG_COLUMNS, tagColumns, type TagColumns } from "./export-columns";
import { tagKeysByUse, type PointBatches, type PointRow } from "./export-rows";
import { dataPlaneOf } from "../storage";
import { resolveQuery } from "./parse";
import { seriesIds } from "./sql";
import { formatInZone } from "../lib/time/calendar";

export { csvText } from "./csv-cell";

/**
 * Raw points as CSV (FR-7): `timestamp,metric,value,<tag keys…>`, one row per point in time
 * order (ties by series), RFC 4180 quoting, CRLF, timestamps ISO 8601 UTC with milliseconds.
 * Past MAX_TAG_COLUMNS tag keys the rest share one `tags` JSON column (export-columns.ts).
 *
 * Streamed with bounded memory: a cursor on its own read-only connection feeds a pull-based
 * ReadableStream, so rows are read only as fast as the client takes them. Its own connection
 * gives the export one consistent snapshot (WAL) and keeps the writer's connection free; while
 * it runs the WAL cannot be checkpointed past that snapshot.
 *
 * The export shares the one JavaScript thread with every other request, and a fast reader pulls
 * the next chunk at once: pull() yields a macrotask once YIELD_AFTER_MS of work has run, so a
 * long export no longer holds off /healthz and the dashboard for its whole duration.
 */
export type ExportProduct = { id: string; name: string; timezone: string };
export type CsvExport = { filename: string; stream: ReadableStream<Uint8Array> };

// Rows per pull: ~64 KiB chunks, big enough that per-chunk overhead is small.
const ROWS_PER_CHUNK = 1000;
const YIELD_AFTER_MS = 4;
const CELL_CACHE = 20_000;
const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

export function exportCsv(db: { $client: Database }, product: ExportProduct, input: Record<string, unknown>, now: number): CsvExport {
  const q = resolveQuery({ ...input, aggregation: "sum" }, { timezone: product.timezone, now });
  const filename = exportFilename(product.name, q.metric, formatInZone(q.zone, q.from), formatInZone(q.zone, q.to));
  const main = db.$client;
  const own = main.filename && main.filename !== ":memory:" ? new Database(main.filename, { readonly: true }) : null;
  const conn = own ?? main;
  let rows: PointBatches;
  let columns: TagColumns;
  let tagsOf: Statement;
  const metricCell = "," + csvText(q.metric) + ",";
  try {
    const ids = seriesIds(product.id, q.metric, q.conditions);
    if (own) own.exec("BEGIN"); // one snapshot for the series, their tags and the points
    const use = tagKeysByUse(conn, ids, MAX_TAG_COLUMNS + 2);
    columns = tagColumns(use.keys, use.more);
    tagsOf = conn.prepare("SELECT tags FROM series WHERE id = ?");
    // Raw points come from the data plane the app's connection is bound to (SQLite: this snapshot).
    rows = dataPlaneOf(main).points(conn).timeOrdered(product.id, ids, q.from, q.to);
  } catch (err) {
    own?.close();
    throw err;
  }
  const header = columns.header;
  // A series' tag cells are built when its first row comes (rows interleave, in time order) and
  // kept up to CELL_CACHE series; past that the cache starts over (one primary-key read each).
  const tagCells = new Map<number, string>();
  const cellsOf = (seriesId: number) => {
    let cells = tagCells.get(seriesId);
    if (cells === undefined) {
      if (tagCells.size >= CELL_CACHE) tagCells.clear();
      const row = tagsOf.get(seriesId) as { tags: string } | null;
      cells = columns.cells(row ? (JSON.parse(row.tags) as Record<string, string>) : {});
      tagCells.set(seriesId, cells);
    }
    return cells;
  };
  const encoder = new TextEncoder();
  let done = false;
  let lastYield = performance.now();
  let batch: PointRow[] = [];
  let at = 0;
  const finish = () => {
    if (done) return;
    done = true;
    rows.close();
    tagsOf?.finalize();
    if (own) {
      own.exec("COMMIT");
      own.close();
    }
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(["timestamp", "metric", "value", ...header.map(csvText)].join(",") + "\r\n"));
      },
      async pull(controller) {
        try {
          if (performance.now() - lastYield >= YIELD_AFTER_MS) {
            await macrotask();
            lastYield = performance.now();
          }
          if (done) return; // cancelled while we yielded
          let chunk = "";
          const started = performance.now();
          for (let n = 0; n < ROWS_PER_CHUNK; n++) {
            // Wide rows (hundreds of tag columns, a new series every row) are slow to build: a
            // chunk also ends after YIELD_AFTER_MS, so the next pull yields soon enough.
            if ((n & 63) === 63 && performance.now() - started >= YIELD_AFTER_MS) break;
            if (at === batch.length) {
              const more = rows.next();
              if (!more) {
                if (chunk) controller.enqueue(encoder.encode(chunk));
                finish();
                controller.close();
                return;
              }
              batch = more;
              at = 0;
            }
            const r = batch[at++]!;
            chunk += new Date(r.t).toISOString() + metricCell + String(r.v) + cellsOf(r.s) + "\r\n";
          }
          controller.enqueue(encoder.encode(chunk));
        } catch (err) {
          finish();
          controller.error(err);
        }
      },
      cancel() {
        finish(); // the client went away: release the cursor and the snapshot
      },
    },
    { highWaterMark: 1 },
  );
  return { filename, stream };
}

/** `acme_signups_2026-01-01_2026-02-01.csv` (times added when a bound is not at local midnight). */
export function exportFilename(productName: string, metric: string, from: string, to: string): string {
  const bound = (t: string) => (t.slice(11, 19) === "00:00:00" ? t.slice(0, 10) : `${t.slice(0, 10)}T${t.slice(11, 13)}${t.slice(14, 16)}`);
  return `${slug(productName) || "product"}_${slug(metric) || "metric"}_${bound(from)}_${bound(to)}.csv`;
}

const slug = (s: string) =>
  s
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 60);
