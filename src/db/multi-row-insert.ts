import type { Database, Statement } from "bun:sqlite";

type Cell = string | number | null;

/**
 * Rows into one table with multi-row INSERTs of `chunks` rows each (largest first, the last
 * size 1): one native call per chunk instead of per row. Measured on web_events and point_blocks:
 * a statement per row spent most of its time in the call and its binding, not in the B-tree.
 * `onChunk` hears each statement's last rowid and which rows it held (rowids of one INSERT are
 * consecutive while each is the table's largest + 1).
 */
export function createMultiRowInsert(sqlite: Database, table: string, columns: readonly string[], chunks: readonly number[] = [32, 8, 1]) {
  const width = columns.length;
  const statements: Statement[] = chunks.map((n) =>
    sqlite.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${Array(n).fill(`(${Array(width).fill("?").join(", ")})`).join(", ")}`),
  );
  // One argument array per chunk size, refilled for every statement (no slice or spread of rows).
  const args = chunks.map((n) => new Array<Cell>(n * width));
  return {
    run(rows: readonly (readonly Cell[])[], onChunk?: (lastRowid: number, from: number, n: number) => void) {
      let at = 0;
      for (let c = 0; c < chunks.length; c++) {
        const n = chunks[c]!;
        const a = args[c]!;
        for (; at + n <= rows.length; at += n) {
          for (let r = 0; r < n; r++) {
            const row = rows[at + r]!;
            for (let k = 0; k < width; k++) a[r * width + k] = row[k]!;
          }
          const { lastInsertRowid } = statements[c]!.run(...(a as never[]));
          onChunk?.(Number(lastInsertRowid), at, n);
        }
      }
    },
  };
}
