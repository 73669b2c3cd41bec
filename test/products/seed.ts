import type { Database } from "bun:sqlite";

/**
 * Fills EVERY table that can hold a product's rows with at least one row of `productId`, so the
 * cross-tenant walker and the deletion test cover tables added later without anyone editing them.
 * Known data-plane tables get realistic rows; any other table with a `product_id` (or `series_id`)
 * column gets a generic row built from its schema (foreign keys point at this product's rows).
 */
type Column = { name: string; type: string; notnull: number; dflt_value: unknown; pk: number };
type ForeignKey = { table: string; from: string; to: string };

const q = (id: string) => `"${id.replaceAll('"', '""')}"`;
let counter = 0;
const unique = () => `seed${Date.now().toString(36)}${(++counter).toString(36)}`;

export function userTables(sqlite: Database): string[] {
  return (sqlite.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_\\_%' ESCAPE '\\'").all() as { name: string }[]).map(
    (r) => r.name,
  );
}
export const columnsOf = (sqlite: Database, table: string) => sqlite.query("SELECT * FROM pragma_table_info(?)").all(table) as Column[];
const foreignKeysOf = (sqlite: Database, table: string) => sqlite.query("SELECT * FROM pragma_foreign_key_list(?)").all(table) as ForeignKey[];
export const hasColumn = (sqlite: Database, table: string, column: string) => columnsOf(sqlite, table).some((c) => c.name === column);

/** Tables whose rows belong to a product: a product_id column, or a series_id column. */
export function productTables(sqlite: Database) {
  const tables = userTables(sqlite).filter((t) => t !== "products" && t !== "product_purges");
  return {
    byProduct: tables.filter((t) => hasColumn(sqlite, t, "product_id")),
    bySeries: tables.filter((t) => t !== "series" && hasColumn(sqlite, t, "series_id")),
  };
}

/** How many rows of each product table refer to the product (directly or through its series). */
export function rowsOfProduct(sqlite: Database, productId: string, seriesIds: number[]): Record<string, number> {
  const { byProduct, bySeries } = productTables(sqlite);
  const out: Record<string, number> = {};
  for (const t of byProduct) out[t] = (sqlite.query(`SELECT count(*) AS n FROM ${q(t)} WHERE product_id = ?`).get(productId) as { n: number }).n;
  for (const t of bySeries) {
    const ids = seriesIds.length ? seriesIds : [-1];
    const n = (sqlite.query(`SELECT count(*) AS n FROM ${q(t)} WHERE series_id IN (${ids.map(() => "?").join(",")})`).get(...ids) as { n: number }).n;
    out[t] = (out[t] ?? 0) + n;
  }
  return out;
}

export function seriesIdsOf(sqlite: Database, productId: string): number[] {
  return (sqlite.query("SELECT id FROM series WHERE product_id = ?").all(productId) as { id: number }[]).map((r) => r.id);
}

/** Data-plane rows the way ingestion writes them: two series (one the all-tags row), tags, points, rollups, events. */
export function seedDataPlane(sqlite: Database, productId: string, opts: { points?: number } = {}) {
  const now = Date.UTC(2026, 0, 15);
  const insertSeries = sqlite.query("INSERT INTO series (product_id, metric, tags_hash, tags, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id");
  const tagged = (insertSeries.get(productId, "signups", unique(), '{"plan":"pro"}', now) as { id: number }).id;
  const all = (insertSeries.get(productId, "signups", "*", "*", now) as { id: number }).id;
  sqlite.query("INSERT INTO series_tags (series_id, key, value) VALUES (?, 'plan', 'pro')").run(tagged);
  const point = sqlite.query("INSERT INTO points (series_id, ts_ms, value) VALUES (?, ?, ?)");
  sqlite.transaction(() => {
    for (let i = 0; i < (opts.points ?? 50); i++) point.run(tagged, now + i * 1000, i);
  })();
  for (const table of ["rollup_1m", "rollup_1h", "rollup_1d"]) {
    for (const s of [tagged, all]) sqlite.query(`INSERT INTO ${table} (series_id, bucket_start, count, sum, min, max) VALUES (?, ?, 1, 2, 2, 2)`).run(s, now);
  }
  sqlite
    .query("INSERT INTO events (product_id, id, ts_ms, name, properties) VALUES (?, ?, ?, 'signup', '{}')")
    .run(productId, unique(), now);
  sqlite
    .query("INSERT INTO idempotency_keys (product_id, key, body_hash, status, response, created_at) VALUES (?, ?, 'h', 200, '{}', ?)")
    .run(productId, unique(), now);
  return { seriesIds: [tagged, all] };
}

/**
 * One generic row in every product table that has none for this product yet. Tables are filled
 * in dependency order (a widget needs a dashboard); a table that cannot be filled is an error
 * naming it, so a new table gets noticed rather than silently skipped.
 */
export function seedEveryProductTable(sqlite: Database, productId: string, ownerId: string, seriesId: number) {
  const { byProduct, bySeries } = productTables(sqlite);
  let pending = [...byProduct, ...bySeries].filter((t) => !hasRowOf(sqlite, t, productId, seriesId));
  while (pending.length) {
    const next = pending.filter((t) => !tryInsert(sqlite, t, productId, ownerId, seriesId));
    if (next.length === pending.length) throw new Error(`could not seed ${next.join(", ")} generically; give the test a fixture row for it`);
    pending = next;
  }
}

function hasRowOf(sqlite: Database, table: string, productId: string, seriesId: number) {
  const column = hasColumn(sqlite, table, "product_id") ? "product_id" : "series_id";
  return !!sqlite.query(`SELECT 1 FROM ${q(table)} WHERE ${column} = ? LIMIT 1`).get(column === "product_id" ? productId : seriesId);
}

function tryInsert(sqlite: Database, table: string, productId: string, ownerId: string, seriesId: number): boolean {
  const fks = foreignKeysOf(sqlite, table);
  const values: Record<string, unknown> = {};
  for (const col of columnsOf(sqlite, table)) {
    const fk = fks.find((f) => f.from === col.name);
    if (col.name === "product_id") values[col.name] = productId;
    else if (col.name === "series_id") values[col.name] = seriesId;
    else if (fk) {
      const ref = referencedRow(sqlite, fk, productId, ownerId);
      if (ref === undefined && col.notnull) return false;
      values[col.name] = ref ?? null;
    } else if (col.pk === 1 && /INT/i.test(col.type) && columnsOf(sqlite, table).filter((c) => c.pk > 0).length === 1) continue; // rowid alias
    else if (col.notnull && col.dflt_value === null) values[col.name] = /INT/i.test(col.type) ? Date.UTC(2026, 0, 1) : /REAL|FLOA|DOUB/i.test(col.type) ? 1.5 : unique();
  }
  const insert = (row: Record<string, unknown>) => {
    const names = Object.keys(row);
    sqlite.query(`INSERT INTO ${q(table)} (${names.map(q).join(", ")}) VALUES (${names.map(() => "?").join(", ")})`).run(...(Object.values(row) as string[]));
  };
  try {
    insert(values);
  } catch (err) {
    // A CHECK like "exactly one of these references" (delivery_attempts names one outbox row):
    // keep one nullable reference at a time.
    const optional = fks.filter((f) => values[f.from] != null && !columnsOf(sqlite, table).find((c) => c.name === f.from)!.notnull).map((f) => f.from);
    if (!/CHECK constraint/i.test(String(err)) || optional.length < 2) throw err;
    const one = optional.find((keep) => {
      try {
        insert({ ...values, ...Object.fromEntries(optional.filter((o) => o !== keep).map((o) => [o, null])) });
        return true;
      } catch {
        return false;
      }
    });
    if (!one) throw err;
  }
  return true;
}

function referencedRow(sqlite: Database, fk: ForeignKey, productId: string, ownerId: string): unknown {
  if (fk.table === "users") return ownerId;
  if (fk.table === "products") return productId;
  const where = hasColumn(sqlite, fk.table, "product_id") ? "WHERE product_id = ?" : "";
  const row = sqlite.query(`SELECT ${q(fk.to)} AS v FROM ${q(fk.table)} ${where} LIMIT 1`).get(...(where ? [productId] : [])) as { v: unknown } | null;
  return row?.v;
}

/** The id of one of the product's rows in the table a route parameter names (`dashboardId` → dashboards). */
export function rowIdForParam(sqlite: Database, param: string, productId: string): string | undefined {
  const noun = param.replace(/Id$/, "").replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
  const table = userTables(sqlite)
    .filter((t) => hasColumn(sqlite, t, "id") && hasColumn(sqlite, t, "product_id"))
    .find((t) => t === noun + "s" || t === noun + "es" || t.endsWith("_" + noun + "s"));
  if (!table) return undefined;
  const row = sqlite.query(`SELECT id FROM ${q(table)} WHERE product_id = ? LIMIT 1`).get(productId) as { id: string } | null;
  return row ? String(row.id) : undefined;
}
