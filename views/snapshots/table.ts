import type { Granularity } from "../../src/query/types";
import type { TableData } from "../../src/dashboards/kinds/table";
import { formatBucket, formatNumber } from "../widgets/format";
import { box, ellipsize, text, TOKENS, type Node } from "./tree";

/** The table widget's first page (the web card's default sort): buckets × series as rows. */
export const TABLE_HEAD_H = 28;
export const TABLE_ROW_H = 30;
export const TABLE_MORE_H = 24;

export function tableBodyHeight(table: TableData): number {
  return TABLE_HEAD_H + table.rows.length * TABLE_ROW_H + (table.total > table.rows.length ? TABLE_MORE_H : 0);
}

export function tableBody(table: TableData, granularity: Granularity | null, width: number): Node {
  const widths = columnWidths(table, width);
  const cell = (i: number, numeric: boolean) => ({
    width: widths[i]!,
    justifyContent: numeric ? "flex-end" : "flex-start",
    whiteSpace: "nowrap",
    paddingRight: numeric ? 0 : 12,
  });
  const head = box(
    // border-box: a row's bottom border is inside its height, so the card's size is exact.
    { height: TABLE_HEAD_H, boxSizing: "border-box", alignItems: "center", borderBottom: `1px solid ${TOKENS.border}` },
    table.columns.map((col, i) => text({ ...cell(i, col.numeric), fontSize: 11, fontWeight: 600, color: TOKENS.muted }, ellipsize(col.label, widths[i]! - 12, 11))),
  );
  const rows = table.rows.map((row, r) =>
    box(
      { height: TABLE_ROW_H, boxSizing: "border-box", alignItems: "center", borderBottom: r === table.rows.length - 1 ? "none" : `1px solid ${TOKENS.grid}`, fontSize: 12 },
      table.columns.map((col, i) => {
        const content = col.key === "time" ? (row.time ? formatBucket(row.time, granularity) : "") : col.key === "group" ? (row.group ?? "") : formatNumber(row.value);
        return text({ ...cell(i, col.numeric), fontWeight: col.numeric ? 500 : 400, color: col.numeric && row.value === null ? TOKENS.muted : TOKENS.text }, ellipsize(content, widths[i]! - 12, 12));
      }),
    ),
  );
  const more =
    table.total > table.rows.length
      ? text({ height: TABLE_MORE_H, alignItems: "flex-end", fontSize: 11, color: TOKENS.muted }, `${table.rows.length} of ${table.total} rows · the dashboard has them all`)
      : null;
  return box({ width, flexDirection: "column" }, head, rows, more);
}

/** Numbers get a fixed right-aligned column; text columns share the rest. */
function columnWidths(table: TableData, width: number): number[] {
  const numeric = 120;
  const textCols = table.columns.filter((c) => !c.numeric).length;
  const rest = width - numeric * (table.columns.length - textCols);
  return table.columns.map((c) => (c.numeric ? numeric : Math.floor(rest / Math.max(1, textCols))));
}
