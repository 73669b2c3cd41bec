import { Database } from "bun:sqlite";
import { resolveQuery } from "./parse";
import { seriesIds } from "./sql";
import { formatInZone } from "./time";

/**
 * Raw points as CSV (FR-7): `timestamp,metric,value,<tag keys…>`, one row per point, RFC 4180
 * quoting, CRLF, timestamps ISO 8601 UTC with milliseconds. Rows come series by series, each in
 * time order: that is the order of the (series_id, ts_ms) index, so SQLite never sorts the export.
 *
 * Streamed with bounded memory: a cursor (`iterate()`) on its own read-only connection feeds a
 * pull-based ReadableStream, so rows are read only as fast as the client takes them. Its own
 * connection gives the export one consistent snapshot (WAL) and keeps the writer's connection
 * free; while it runs the WAL cannot be checkpointed past that snapshot.
 */
export type ExportProduct = { id: string; name: string; timezone: string };
export type CsvExport = { filename: string; stream: ReadableStream<Uint8Array> };

// Rows per pull: ~64 KiB chunks, big enough that per-chunk overhead is small.
const ROWS_PER_CHUNK = 1000;

export function exportCsv(db: { $client: Database }, product: ExportProduct, input: Record<string, unknown>, now: number): CsvExport {
  const q = resolveQuery({ ...input, aggregation: "sum" }, { timezone: product.timezone, now });
  const filename = exportFilename(product.name, q.metric, formatInZone(q.zone, q.from), formatInZone(q.zone, q.to));
  const main = db.$client;
  const own = main.filename && main.filename !== ":memory:" ? new Database(main.filename, { readonly: true }) : null;
  const conn = own ?? main;
  let rows: IterableIterator<{ s: number; t: number; v: number }>;
  let keys: string[];
  const tagCells = new Map<number, string>();
  const metricCell = "," + csvText(q.metric) + ",";
  try {
    const ids = seriesIds(product.id, q.metric, q.conditions);
    if (own) own.exec("BEGIN"); // one snapshot for the series list and the points
    const series = conn.query(`SELECT id, tags FROM series WHERE id IN (${ids.sql})`).all(...ids.params) as { id: number; tags: string }[];
    keys = [...new Set(series.flatMap((s) => Object.keys(JSON.parse(s.tags) as object)))].sort();
    for (const s of series) {
      const tags = JSON.parse(s.tags) as Record<string, string>;
      tagCells.set(s.id, keys.map((k) => "," + (Object.hasOwn(tags, k) ? csvText(tags[k]!) : "")).join(""));
    }
    const stmt = conn.query(`SELECT series_id AS s, ts_ms AS t, value AS v FROM points WHERE series_id IN (${ids.sql}) AND ts_ms >= ? AND ts_ms < ? ORDER BY series_id, ts_ms`);
    rows = stmt.iterate(...ids.params, q.from, q.to) as IterableIterator<{ s: number; t: number; v: number }>;
  } catch (err) {
    own?.close();
    throw err;
  }
  const encoder = new TextEncoder();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    rows.return?.();
    if (own) {
      own.exec("COMMIT");
      own.close();
    }
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(["timestamp", "metric", "value", ...keys.map(csvText)].join(",") + "\r\n"));
      },
      pull(controller) {
        try {
          let chunk = "";
          for (let n = 0; n < ROWS_PER_CHUNK; n++) {
            const next = rows.next();
            if (next.done) {
              if (chunk) controller.enqueue(encoder.encode(chunk));
              finish();
              controller.close();
              return;
            }
            const r = next.value;
            chunk += new Date(r.t).toISOString() + metricCell + String(r.v) + tagCells.get(r.s) + "\r\n";
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

/**
 * A text cell: one leading `'` when it starts with = + - @ tab or CR (spreadsheets would run it
 * as a formula, OWASP "CSV injection"), then RFC 4180 quotes when it holds `"` `,` CR or LF.
 * Numbers never pass through here, so -5 stays a number.
 */
export function csvText(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? "'" + s : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
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
