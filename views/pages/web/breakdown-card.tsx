/** @jsxImportSource hono/jsx */
import type { CardDef, CardTab } from "../../../src/web/dashboard/cards";
import { formatMetric } from "../../../src/web/dashboard/format";
import type { CardRows } from "../../../src/web/dashboard/queries";
import { viewUrl, withFilter, type WebView } from "../../../src/web/dashboard/view";

export const DBIP_URL = "https://db-ip.com";

export type BreakdownProps = {
  card: CardDef;
  tab: CardTab;
  data: CardRows;
  view: WebView;
  /** The dashboard page (row clicks filter it). */
  base: string;
  /** This card's own route, for a tab or the details; `csv` its download. */
  cardUrl: (tab: CardTab, details?: boolean) => string;
  csvUrl: string;
  currency: string;
  details?: boolean;
};

/**
 * One breakdown card: tabs, rows with a bar behind them (width by class: the strict CSP forbids
 * style attributes), a click on a row filters the whole page. It is its own htmx partial (a tab
 * swaps just this card), and with `details` its own page with the longer list.
 */
export function BreakdownCard(props: BreakdownProps) {
  const { card, tab, data } = props;
  const max = Math.max(1, ...data.rows.map((r) => r.metrics[0] ?? 0));
  const headingId = `card-${card.id}-title`;
  return (
    <section id={`card-${card.id}`} class="card web-card" aria-labelledby={headingId} data-testid={`card-${card.id}`} data-tab={tab.id}>
      <header class="web-card-head">
        <h2 id={headingId}>{props.details && card.tabs.length > 1 ? `${card.title}: ${tab.label}` : card.title}</h2>
        {card.tabs.length > 1 ? (
          <nav class="web-card-tabs" aria-label={`${card.title} breakdown`}>
            {card.tabs.map((t) => (
              <a
                href={props.cardUrl(t, props.details)}
                aria-current={t.id === tab.id ? "true" : undefined}
                hx-get={props.details ? undefined : props.cardUrl(t)}
                hx-target={`#card-${card.id}`}
                hx-swap="outerHTML"
              >
                {t.label}
              </a>
            ))}
          </nav>
        ) : null}
      </header>
      {data.rows.length === 0 ? (
        <p class="web-card-empty muted">No {tab.label.toLowerCase()} in this period{props.view.filters.length ? " with these filters" : ""}.</p>
      ) : (
        <table class="web-rows">
          <caption class="visually-hidden">
            {tab.label} by {data.columns[0]!.label.toLowerCase()}
          </caption>
          <thead>
            <tr>
              <th scope="col">{tab.column}</th>
              {data.columns.map((m) => (
                <th scope="col" class={m.wide ? "num is-wide" : "num"} data-metric={m.key}>
                  {m.title ? <abbr title={m.title}>{m.label}</abbr> : m.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.rows.map((row) => (
              <tr>
                <th scope="row" class="web-row-label">
                  <span class={`web-bar bar-${Math.round(((row.metrics[0] ?? 0) / max) * 100)}`} aria-hidden="true"></span>
                  {row.value === null ? (
                    <span class="web-row-text muted">{row.label}</span>
                  ) : (
                    <a class="web-row-text" href={viewUrl(props.base, props.view, withFilter(tab.filterKey, row.value))} title={`Filter by ${tab.column.toLowerCase()} ${row.label}`}>
                      {row.post ? (
                        <>
                          <span class="web-row-post" data-testid="x-post">
                            {row.post}
                          </span>{" "}
                          <span class="muted small">{row.label}</span>
                        </>
                      ) : (
                        row.label
                      )}
                    </a>
                  )}
                </th>
                {data.columns.map((m, i) => (
                  <td class={m.wide ? "num is-wide" : "num"} data-metric={m.key} data-value={row.metrics[i] === null ? "" : String(row.metrics[i])}>
                    {formatMetric(m.key, row.metrics[i] ?? null, props.currency)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <footer class="web-card-foot">
        {card.note === "dbip" ? (
          <a class="muted small" href={DBIP_URL} rel="noopener" target="_blank">
            IP geolocation by DB-IP
          </a>
        ) : (
          <span></span>
        )}
        <span class="web-card-actions">
          {!props.details && (data.total > data.rows.length || card.detailsLink) ? (
            <a class="btn btn-small btn-ghost" href={props.cardUrl(tab, true)} data-testid="card-details">
              {card.detailsLink ?? `Details (${data.total})`}
            </a>
          ) : null}
          <a class="btn btn-small btn-ghost" href={props.csvUrl} download data-testid="card-csv" aria-label={`Download ${tab.label} as CSV`}>
            CSV
          </a>
        </span>
      </footer>
    </section>
  );
}
