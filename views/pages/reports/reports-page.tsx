/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import type { Delivery, ReportWithRecipients } from "../../../src/reports/reports";
import { ReportCard } from "./report-card";
import { reportsBase, type ReportsContext } from "./urls";
import { dashboardUrl, productUrl } from "../../../src/products/urls";

/**
 * "Email reports" of a dashboard: its schedules (each a card with its delivery log), a "New
 * report" button that opens the form in #report-editor, and an empty state that says what a
 * report is. #reports is the section htmx re-renders after a create or a delete.
 */
export type ListedReport = { report: ReportWithRecipients; deliveries: Delivery[] };

export function ReportsPage(props: { header?: Child; ctx: ReportsContext; reports: ListedReport[]; editor?: Child; notice?: Child }) {
  const { ctx } = props;
  const dashboardHref = dashboardUrl(ctx.product.id, ctx.dashboard.id);
  return (
    <Layout title={`Email reports · ${ctx.dashboard.name}`} header={props.header}>
      <div class="reports-page">
        <header class="page-title reports-head">
          <div>
            <p class="eyebrow">
              <a href={productUrl(ctx.product.id)}>{ctx.product.name}</a> <span aria-hidden="true">/</span> <a href={dashboardHref}>{ctx.dashboard.name}</a>
            </p>
            <h1>Email reports</h1>
            <p class="muted reports-lede">Scheduled emails with a picture of every widget on “{ctx.dashboard.name}”, in the dashboard's order and range.</p>
          </div>
          <div class="row">
            <a class="btn" href={dashboardHref}>
              Back to dashboard
            </a>
            <a class="btn btn-primary" href={`${reportsBase(ctx)}/new`} hx-get={`${reportsBase(ctx)}/new`} hx-target="#report-editor" hx-swap="innerHTML" data-testid="new-report">
              + New report
            </a>
          </div>
        </header>
        {props.notice}
        <ReportsSection ctx={ctx} reports={props.reports} editor={props.editor} />
      </div>
    </Layout>
  );
}

export function ReportsSection(props: { ctx: ReportsContext; reports: ListedReport[]; editor?: Child }) {
  return (
    <section id="reports" class="reports-section" aria-live="polite">
      <div id="report-editor">{props.editor}</div>
      {props.reports.length === 0 && !props.editor ? <EmptyReports ctx={props.ctx} /> : null}
      {props.reports.map((r) => (
        <ReportCard ctx={props.ctx} report={r.report} deliveries={r.deliveries} />
      ))}
    </section>
  );
}

function EmptyReports(props: { ctx: ReportsContext }) {
  const url = `${reportsBase(props.ctx)}/new`;
  return (
    <div class="empty-state" data-testid="reports-empty">
      <div class="empty-icon" aria-hidden="true">
        <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">
          <rect x="3" y="5" width="18" height="14" rx="2" />
          <path d="m3 7 9 6 9-6" />
        </svg>
      </div>
      <h2>No email reports yet</h2>
      <p>Send this dashboard to your inbox (or your team's) every day, week or month, at a time in {props.ctx.timezone.replaceAll("_", " ")}.</p>
      <a class="btn btn-primary" href={url} hx-get={url} hx-target="#report-editor" hx-swap="innerHTML">
        Create the first report
      </a>
    </div>
  );
}
