import { randomUUID } from "node:crypto";
import type { Database } from "bun:sqlite";
import type { EventsSink } from "../events-plane";
import type { EventRecord } from "../../writer/batch";
import { eraseWebOfPerson } from "../../writer/erase";
import { Binder, chPersonMatch, NEWEST_SEQ, recordNewestSeq } from "./events-sql";
import { tsvText, type ClickHouseTransport } from "./transport";

const COLUMNS = ["product_id", "seq", "id", "ts_ms", "name", "namespace", "user_id", "session_id", "visitor_id", "properties", "context"];
const cell = (x: string | null) => (x === null ? "\\N" : tsvText(x));

type Chunk = { token: string | null; productId: string; events: EventRecord[] };

/**
 * Events into ClickHouse, staged while a flush applies its requests and inserted once, right
 * before COMMIT (src/writer/flush.ts), like points: a synchronous insert ClickHouse acknowledged
 * is stored; if it throws, the flush rolls back and is answered 503. An idempotent request's
 * events go in an INSERT of their own with its insert_deduplication_token, so a retry after a
 * COMMIT that failed is dropped by ClickHouse instead of doubled.
 *
 * A repeated `id` is found before staging: the writer is the only one storing events, so what
 * ClickHouse holds plus what this flush staged is every stored id (one lookup per request that
 * carries ids, served by the bloom filter on id). `seq` is numbered here in insert order, from
 * the newest stored one, so a reader never sees a seq before one it cannot see yet.
 */
export function createClickHouseEventsSink(ch: ClickHouseTransport, sqlite: Database): EventsSink {
  // Past the recorded newest too: a crash between an insert and its record left seqs above it
  // (the minmax index on seq skips every granule below it).
  const recorded = Number(ch.query(NEWEST_SEQ)[0]?.n ?? 0);
  let nextSeq = Math.max(recorded, Number(ch.query("SELECT max(seq) AS n FROM events WHERE seq > {r:UInt64}", { r: recorded })[0]?.n ?? 0)) + 1;
  let chunks: Chunk[] = [];
  let staged = new Map<string, Set<string>>();
  const count = (where: string, b: Binder) => Number(ch.query(`SELECT count() AS n FROM events WHERE ${where}`, b.params)[0]?.n ?? 0);
  const remove = (where: string, b: Binder) => {
    const n = count(where, b);
    // A lightweight DELETE: rows are masked at once and removed by merges.
    if (n) ch.command(`DELETE FROM events WHERE ${where}`, b.params);
    return n;
  };

  function knownIds(productId: string, ids: string[]): Set<string> {
    if (!ids.length) return new Set();
    const rows = unavailable(() => ch.query("SELECT DISTINCT assumeNotNull(id) AS id FROM events WHERE product_id = {p:String} AND id IN {ids:Array(String)}", { p: productId, ids }));
    return new Set(rows.map((r) => String(r.id)));
  }

  return {
    begin() {
      chunks = [];
      staged = new Map();
    },
    add(productId, events, token) {
      let mine = staged.get(productId);
      if (!mine) staged.set(productId, (mine = new Set()));
      const ids = events.flatMap((e) => (e.id !== null && !mine.has(e.id) ? [e.id] : []));
      const known = knownIds(productId, [...new Set(ids)]);
      const stored: EventRecord[] = [];
      for (const e of events) {
        if (e.id !== null) {
          if (known.has(e.id) || mine.has(e.id)) continue;
          mine.add(e.id);
        }
        stored.push(e);
      }
      if (!stored.length) return stored;
      const last = chunks[chunks.length - 1];
      if (token === null && last && last.token === null && last.productId === productId) last.events.push(...stored);
      else chunks.push({ token, productId, events: stored });
      return stored;
    },
    write() {
      let n = 0;
      for (const chunk of chunks) {
        const p = tsvText(chunk.productId);
        let body = "";
        for (const e of chunk.events) {
          body += `${p}\t${nextSeq++}\t${cell(e.id)}\t${e.tsMs}\t${tsvText(e.name)}\t${cell(e.namespace)}\t${cell(e.userId)}\t${cell(e.sessionId)}\t${cell(e.visitorId)}\t${cell(e.properties)}\t${cell(e.context)}\n`;
        }
        // A fresh token without a key: the deduplication window must never drop two equal requests.
        unavailable(() => ch.insertTsv("events", COLUMNS, body, { insert_deduplication_token: chunk.token ?? `once:${randomUUID()}` }));
        n += chunk.events.length;
      }
      if (n) unavailable(() => recordNewestSeq(ch, nextSeq - 1));
      chunks = [];
      staged = new Map();
      return n;
    },
    deleteOld(productId, before, scope) {
      // One DELETE takes them all (ClickHouse has no per-row LIMIT to batch by); the next call finds 0.
      const b = new Binder();
      const where =
        "namespace" in scope
          ? `namespace = ${b.str(scope.namespace)}`
          : `(namespace IS NULL OR NOT has(${b.bind(scope.exclude, "Array(String)")}, assumeNotNull(namespace)))`;
      return remove(`product_id = ${b.str(productId)} AND ts_ms < ${b.int(before)} AND ${where}`, b);
    },
    erasePerson(productId, person, after) {
      const b = new Binder();
      const deleted = after === 0 ? remove(`product_id = ${b.str(productId)} AND ${chPersonMatch(b, person)}`, b) : 0;
      const web = after === 0 ? sqlite.transaction(() => eraseWebOfPerson(sqlite, productId, person)).immediate() : 0;
      return { deleted: deleted + web, next: 1, done: true };
    },
    purgeProduct(productId) {
      const b = new Binder();
      return remove(`product_id = ${b.str(productId)}`, b);
    },
    rebuildUserDays: (_productId, _zone, after) => ({ next: after, done: true }),
  };
}

/** A ClickHouse failure while storing: the whole flush is answered 503 storage_unavailable (src/writer/flush.ts), not retried request by request. */
function unavailable<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw Object.assign(new Error(String((err as Error).message ?? err).split("\n")[0]!.slice(0, 300)), { code: "CLICKHOUSE_WRITE", cause: err });
  }
}
