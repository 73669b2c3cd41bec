/** @jsxImportSource hono/jsx */
import type { Granularity, QueryResult } from "../../query/types";
import { formatBucket, formatNumber } from "../../../views/widgets/format";
import { TableWidget } from "../../../views/widgets/table";
import { tableBody, tableBodyHeight } from "../../../views/snapshots/table";
import { CARD_CHROME_H, EMPTY_TABLE_HEIGHT } from "../../../views/snapshots/sizes";
import { defineKind, type ViewState } from "./kind";
import { isAllEmpty, seriesLabel } from "./series";

/**
 * Table: the engine's buckets × series as rows (DESIGN.md: raw rows only through CSV), sorted and
 * paginated on the server; the card's page and sort travel in its own URL.
 */
export type TableSort = { by: "time" | "group" | "value"; dir: "asc" | "desc" };
export type TableData = {
  columns: { key: TableSort["by"]; label: string; numeric: boolean }[];
  rows: { time: string | null; group: string | null; value: number | null }[];
  page: number;
  pages: number;
  total: number;
  sort: TableSort;
};

export const TABLE_PAGE_SIZE = 10;

export const tableKind = defineKind({
  kind: "table",
  label: "Table",
  hint: "Buckets as rows",
  series: true,
  drawsEmpty: false,
  headline: false,
  span: () => "span-6",
  data({ result, config, state }) {
    const table = tableData(result, config.groupBy, state.page ?? 1, sortOf(state));
    return { kind: "table" as const, table, granularity: result.granularity, empty: table.total === 0 || isAllEmpty(result) };
  },
  card: (data, ctx) => <TableWidget table={data.table} granularity={data.granularity} url={ctx.url} />,
  snapshot: {
    half: false,
    height: (data) => (data ? CARD_CHROME_H + tableBodyHeight(data.table) : EMPTY_TABLE_HEIGHT),
    body: (data, ctx) => tableBody(data.table, data.granularity, ctx.width),
  },
  alt: (data, ctx) => `${ctx.title}: table of ${data.table.total} row${data.table.total === 1 ? "" : "s"}${ctx.rangeLabel ? `, ${ctx.rangeLabel.toLowerCase()}` : ""}`,
  text(data) {
    const rows = data.table.rows.map((r) => `  ${[r.time ? formatBucket(r.time, data.granularity) : null, r.group].filter(Boolean).join(" · ")}: ${formatNumber(r.value)}`);
    return [...rows, ...(data.table.total > data.table.rows.length ? [`  (${data.table.rows.length} of ${data.table.total} rows)`] : [])];
  },
});

function sortOf(state: ViewState): Partial<TableSort> {
  const { by, dir } = state.sort ?? {};
  return {
    ...(by === "time" || by === "group" || by === "value" ? { by } : {}),
    ...(dir === "asc" || dir === "desc" ? { dir } : {}),
  };
}

/** Rows = bucket × series, sorted, one page of them. */
export function tableData(result: QueryResult, groupBy: string[], page: number, sortIn: Partial<TableSort>): TableData {
  const timed = result.granularity !== null;
  const grouped = groupBy.length > 0;
  const rows: TableData["rows"] = [];
  for (const s of result.series) {
    const group = grouped ? seriesLabel(s, result.metric) : null;
    if (timed) for (const p of s.points) rows.push({ time: p.t, group, value: p.v });
    else rows.push({ time: null, group, value: s.value ?? null });
  }
  const sort: TableSort = {
    by: sortIn.by === "value" || (sortIn.by === "group" && grouped) || (sortIn.by === "time" && timed) ? sortIn.by : timed ? "time" : "value",
    dir: sortIn.dir === "asc" || sortIn.dir === "desc" ? sortIn.dir : "desc",
  };
  const sign = sort.dir === "asc" ? 1 : -1;
  const cmp = (a: TableData["rows"][number], b: TableData["rows"][number]): number => {
    if (sort.by === "value") return compareNullable(a.value, b.value) * sign || compareTime(b.time, a.time);
    if (sort.by === "group") return compareText(a.group, b.group) * sign || compareTime(b.time, a.time);
    // Ties (one bucket, many groups) by value, largest first.
    return compareTime(a.time, b.time) * sign || compareNullable(b.value, a.value);
  };
  rows.sort(cmp);
  const pages = Math.max(1, Math.ceil(rows.length / TABLE_PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const columns: TableData["columns"] = [];
  if (timed) columns.push({ key: "time", label: "Time", numeric: false });
  if (grouped) columns.push({ key: "group", label: groupBy.join(" · "), numeric: false });
  columns.push({ key: "value", label: result.aggregation[0]!.toUpperCase() + result.aggregation.slice(1), numeric: true });
  return { columns, rows: rows.slice((current - 1) * TABLE_PAGE_SIZE, current * TABLE_PAGE_SIZE), page: current, pages, total: rows.length, sort };
}

// An empty bucket (null) counts as smaller than every number.
function compareNullable(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a - b;
}

function compareText(a: string | null, b: string | null): number {
  return (a ?? "").localeCompare(b ?? "");
}

// By instant, not text: across a DST change the same local hour repeats with another offset.
function compareTime(a: string | null, b: string | null): number {
  return (a ? Date.parse(a) : 0) - (b ? Date.parse(b) : 0);
}
