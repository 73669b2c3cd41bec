/** @jsxImportSource hono/jsx */
import type { Granularity } from "../../src/query/types";
import type { TableData, TableSort } from "../../src/dashboards/kinds/table";
import { formatBucket, formatNumber } from "./format";

/**
 * Buckets × series as rows, sorted and paginated on the server: each header and pager button
 * asks for the card again with `page`, `sort` and `dir`, and the card replaces itself.
 */
export function TableWidget(props: { table: TableData; granularity: Granularity | null; url: string }) {
  const { table } = props;
  const query = (page: number, sort: TableSort) => new URLSearchParams({ page: String(page), sort: sort.by, dir: sort.dir });
  // props.url may already carry the page's range (?range=7d).
  const link = (page: number, sort: TableSort) => `${props.url}${props.url.includes("?") ? "&" : "?"}${query(page, sort)}`;
  return (
    <div class="table-widget">
      <div class="table-scroll">
        <table class="data-table" data-testid="widget-table">
          <thead>
            <tr>
              {table.columns.map((col) => {
                const active = table.sort.by === col.key;
                const next: TableSort = { by: col.key, dir: active && table.sort.dir === "desc" ? "asc" : "desc" };
                return (
                  <th scope="col" class={col.numeric ? "num" : undefined} aria-sort={active ? (table.sort.dir === "asc" ? "ascending" : "descending") : undefined}>
                    <button type="button" class="sort" hx-get={link(1, next)} hx-target="closest .widget-slot" hx-swap="innerHTML">
                      {col.label}
                      <span class="sort-mark" aria-hidden="true">
                        {active ? (table.sort.dir === "asc" ? "↑" : "↓") : ""}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row) => (
              <tr>
                {table.columns.map((col) =>
                  col.key === "time" ? (
                    <td>{row.time ? formatBucket(row.time, props.granularity) : ""}</td>
                  ) : col.key === "group" ? (
                    <td>{row.group}</td>
                  ) : (
                    <td class="num">{formatNumber(row.value)}</td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {table.pages > 1 ? (
        <nav class="pager" aria-label="Table pages">
          <button type="button" class="btn btn-small" disabled={table.page <= 1} hx-get={link(table.page - 1, table.sort)} hx-target="closest .widget-slot" hx-swap="innerHTML">
            ‹ Prev
          </button>
          <span class="muted" data-testid="table-page">
            {table.page} / {table.pages}
          </span>
          <button type="button" class="btn btn-small" disabled={table.page >= table.pages} hx-get={link(table.page + 1, table.sort)} hx-target="closest .widget-slot" hx-swap="innerHTML">
            Next ›
          </button>
        </nav>
      ) : null}
    </div>
  );
}
