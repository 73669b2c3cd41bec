/**
 * How the ClickHouse data plane reaches ClickHouse. The SQL (src/storage/clickhouse/*-sql.ts,
 * migrations/) is the same for every transport; only this differs. Synchronous on purpose: the
 * query engine runs a query to the end inside one tick (src/query/run.ts), as it does on SQLite.
 * Parameters use ClickHouse's own binding (`{name:Type}` in the SQL), never string splicing.
 */
export type Params = Record<string, string | number | number[] | string[]>;
export type Row = Record<string, unknown>;

export interface ClickHouseTransport {
  readonly engine: "chdb" | "clickhouse";
  /** Rows of a SELECT (JSONEachRow). */
  query(sql: string, params?: Params): Row[];
  /** A statement without rows (DDL, DELETE, INSERT … SELECT). */
  command(sql: string, params?: Params): void;
  /**
   * One INSERT of tab-separated rows (values must be numbers or tab/newline-free strings).
   * `settings`: per-insert settings such as insert_deduplication_token.
   */
  insertTsv(table: string, columns: string[], body: string, settings?: Record<string, string | number>): void;
  /** `INSERT INTO … SELECT …` with settings (materialising rows loaded into a staging table). */
  insertSelect(table: string, select: string, settings?: Record<string, string | number>): void;
  close(): void;
}

/** A settings value for an INSERT … SETTINGS clause: a ClickHouse string literal. */
export function settingLiteral(value: string | number): string {
  if (typeof value === "number") return String(value);
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** A string as one TabSeparated field (backslash escapes, as ClickHouse reads them). */
export function tsvText(value: string): string {
  return value.replace(/[\\\t\n]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : "\\n"));
}
