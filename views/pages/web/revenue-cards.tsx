/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import { formatMoney } from "../../../src/web/dashboard/format";
import type { LtvReport, MrrReport } from "../../../src/revenue/report";

/**
 * The web dashboard's subscription cards (DESIGN.md "Revenue"): MRR per month with its movements,
 * and LTV by first-purchase cohort or by source. One table per currency, never summed. The data
 * is what /api/v1/revenue/mrr and /ltv answer (src/revenue/report.ts).
 */
export type MrrCardProps = { report: MrrReport; months: number; settingsUrl: string };

const MOVEMENTS = [
  ["mrr", "MRR"],
  ["new", "New"],
  ["expansion", "Expansion"],
  ["contraction", "Contraction"],
  ["churned", "Churned"],
] as const;

export function MrrCard(props: MrrCardProps) {
  const currencies = Object.entries(props.report.currencies);
  return (
    <section id="card-mrr" class="card web-card web-revenue-card" aria-labelledby="card-mrr-title" data-testid="card-mrr">
      <header class="web-card-head">
        <h2 id="card-mrr-title">MRR</h2>
        <span class="muted small">the last {props.months} months</span>
      </header>
      {currencies.length === 0 ? (
        <p class="web-card-empty muted">
          No subscriptions yet. MRR comes from the providers' subscription events: connect one in <a href={props.settingsUrl}>Settings → Revenue</a>.
        </p>
      ) : (
        currencies.map(([currency, months]) => {
          const last = months.at(-1)!;
          const before = months.at(-2);
          const change = before && before.mrr !== 0 ? Math.round(((last.mrr - before.mrr) / before.mrr) * 100) : null;
          return (
            <div class="web-revenue-block" data-currency={currency}>
              <p class="web-revenue-head">
                <span class="web-revenue-figure" data-testid={`mrr-now-${currency}`} data-value={String(last.mrr)}>
                  {formatMoney(last.mrr, currency, true)}
                </span>
                <span class="muted small"> {currency} this month</span>
                {change !== null && change !== 0 ? (
                  <span class={`web-stat-change ${change > 0 ? "is-good" : "is-bad"}`} title={`vs last month: ${formatMoney(before!.mrr, currency, true)}`}>
                    <span aria-hidden="true">{change > 0 ? " ▲ " : " ▼ "}</span>
                    <span class="visually-hidden">{change > 0 ? "up" : "down"} </span>
                    {Math.abs(change)}%<span class="visually-hidden"> vs last month</span>
                  </span>
                ) : null}
              </p>
              <div class="web-table-scroll">
                <table class="web-rows web-money-rows is-mrr">
                  <caption class="visually-hidden">MRR and its movements per month, {currency}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Month</th>
                      {MOVEMENTS.map(([, label]) => (
                        <th scope="col" class="num">
                          {label}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {[...months].reverse().map((m) => (
                      <tr data-month={m.month}>
                        <th scope="row" class="web-row-label">
                          <span class="web-row-text">{m.month}</span>
                        </th>
                        {MOVEMENTS.map(([key]) => (
                          <td class="num" data-metric={key} data-value={String(m[key])}>
                            {m[key] === 0 ? <span class="muted">–</span> : (key === "churned" || key === "contraction" ? "−" : "") + formatMoney(m[key], currency, true)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          );
        })
      )}
      <footer class="web-card-foot">
        <span class="muted small">New: from nothing (or back). Expansion and contraction: up or down. Churned: to nothing.</span>
      </footer>
    </section>
  );
}

export type LtvCardProps = { by: "cohort" | "source"; reports: LtvReport[]; url: (by: "cohort" | "source") => string; settingsUrl: string };

export function LtvCard(props: LtvCardProps) {
  const reports = props.reports.filter((r) => ("cohorts" in r ? r.cohorts.length : r.sources.length) > 0);
  return (
    <section id="card-ltv" class="card web-card web-revenue-card" aria-labelledby="card-ltv-title" data-testid="card-ltv" data-tab={props.by}>
      <header class="web-card-head">
        <h2 id="card-ltv-title">Lifetime value</h2>
        <nav class="web-card-tabs" aria-label="Lifetime value breakdown">
          {(["cohort", "source"] as const).map((by) => (
            <a href={props.url(by)} aria-current={by === props.by ? "true" : undefined} hx-get={props.url(by)} hx-target="#card-ltv" hx-swap="outerHTML" hx-push-url="false">
              {by === "cohort" ? "By cohort" : "By source"}
            </a>
          ))}
        </nav>
      </header>
      {reports.length === 0 ? (
        <p class="web-card-empty muted">
          No purchases yet. Customers appear with their first payment: connect a provider in <a href={props.settingsUrl}>Settings → Revenue</a>.
        </p>
      ) : (
        reports.map((r) => (
          <div class="web-table-scroll" data-currency={r.currency}>
            <table class="web-rows web-money-rows">
              <caption class={reports.length > 1 ? "web-caption" : "visually-hidden"}>
                {props.by === "cohort" ? "By month of first purchase" : "By source of the first purchase"}, {r.currency}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{props.by === "cohort" ? "Cohort" : "Source"}</th>
                  <th scope="col" class="num">
                    Customers
                  </th>
                  <th scope="col" class="num">
                    Revenue
                  </th>
                  <th scope="col" class="num">
                    <abbr title="Lifetime value: net revenue per customer">LTV</abbr>
                  </th>
                </tr>
              </thead>
              <tbody>
                {("cohorts" in r ? r.cohorts.map((c) => ({ name: c.cohort, ...c })) : r.sources.map((s) => ({ name: s.source, ...s }))).map((row) => (
                  <tr data-row={row.name}>
                    <th scope="row" class="web-row-label">
                      <span class={row.name === "Unattributed" || row.name === "Direct / None" ? "web-row-text muted" : "web-row-text"}>{row.name}</span>
                    </th>
                    <td class="num" data-metric="customers" data-value={String(row.customers)}>
                      {row.customers}
                    </td>
                    <td class="num" data-metric="revenue" data-value={String(row.revenue)}>
                      {formatMoney(row.revenue, r.currency)}
                    </td>
                    <td class="num" data-metric="ltv" data-value={String(row.ltv)}>
                      {formatMoney(row.ltv, r.currency, true)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))
      )}
      <footer class="web-card-foot">
        <span class="muted small">Net of refunds, per customer, since the first purchase; each currency on its own.</span>
      </footer>
    </section>
  );
}

/** The LTV card as its own page (its tabs without script), with the way back. */
export function LtvCardPage(props: { header?: Child; product: { id: string; name: string }; back: string; card: LtvCardProps }) {
  return (
    <Layout title={`Lifetime value · Web analytics · ${props.product.name}`} header={props.header}>
      <link rel="stylesheet" href="/static/web.css" />
      <div class="web-dashboard web-details">
        <p class="eyebrow">
          <a href={props.back}>← Web analytics</a>
        </p>
        <LtvCard {...props.card} />
      </div>
    </Layout>
  );
}
