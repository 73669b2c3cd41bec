import { Hono, type Context } from "hono";
import type { Child } from "hono/jsx";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { isHtmx, pageOrFragment, sendFragment, sendPage } from "../http/render";
import { requireUser } from "../auth/middleware";
import { productAccess } from "../products/access";
import { pageHeader } from "../products/page-header";
import { formErrorsOf, formFields } from "../http/forms";
import { getDashboard } from "../dashboards/dashboards";
import { createReport, deleteReport, findRecipientReport, getReport, listDeliveries, listReports, setRecipientPaused, setReportPaused, updateReport, validateReportInput } from "./reports";
import { sendTestReport } from "./run-report";
import { verifyUnsubscribe } from "./unsubscribe";
import { ReportsPage, ReportsSection } from "../../views/pages/reports/reports-page";
import { UnsubscribePage } from "../../views/pages/reports/unsubscribe-page";
import { ReportCard } from "../../views/pages/reports/report-card";
import { ReportForm, emptyReportForm, type ReportFormValues } from "../../views/pages/reports/report-form";
import { reportsBase, type ReportsContext } from "../../views/pages/reports/urls";

/**
 * "Email reports" of a dashboard (list, create, edit, pause/resume, delete, send a test now) and
 * the public unsubscribe link. Every product route runs requireUser → productAccess (THE tenant
 * check); the unsubscribe routes need no login: the HMAC in the link is the authority.
 */
export function reportRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps)] as const;
  const R = "/products/:productId/dashboards/:dashboardId/reports";
  const now = () => deps.clock.now();

  const context = (c: Context<AppEnv>): ReportsContext => {
    const product = c.get("product");
    const dashboard = getDashboard(deps.db, product.id, c.req.param("dashboardId")!);
    return { product: { id: product.id, name: product.name }, dashboard: { id: dashboard.id, name: dashboard.name }, timezone: product.timezone };
  };
  const listed = (ctx: ReportsContext) => listReports(deps.db, ctx.product.id, ctx.dashboard.id).map((report) => ({ report, deliveries: listDeliveries(deps.db, ctx.product.id, report.id) }));
  const page = (c: Context<AppEnv>, ctx: ReportsContext, editor?: Child) => ReportsPage({ header: pageHeader(deps, c, c.get("product")), ctx, reports: listed(ctx), editor });
  /** htmx gets the form (or section) alone; a plain request the reports page with it open. */
  const pageWith = (c: Context<AppEnv>, ctx: ReportsContext, fragment: Child, status = 200) => pageOrFragment(c, () => fragment, () => page(c, ctx, fragment), status);
  const section = (c: Context<AppEnv>, ctx: ReportsContext) => {
    c.header("HX-Retarget", "#reports");
    c.header("HX-Reswap", "outerHTML");
    return sendFragment(c, ReportsSection({ ctx, reports: listed(ctx) }));
  };
  const card = (c: Context<AppEnv>, ctx: ReportsContext, reportId: string, notice?: Parameters<typeof ReportCard>[0]["notice"]) =>
    sendFragment(c, ReportCard({ ctx, report: getReport(deps.db, ctx.product.id, ctx.dashboard.id, reportId), deliveries: listDeliveries(deps.db, ctx.product.id, reportId), notice }));
  const back = (c: Context<AppEnv>, ctx: ReportsContext) => c.redirect(reportsBase(ctx), 303);

  r.get(R, ...member, (c) => {
    const ctx = context(c);
    return pageOrFragment(c, () => ReportsSection({ ctx, reports: listed(ctx) }), () => page(c, ctx));
  });

  const newForm = (c: Context<AppEnv>, ctx: ReportsContext) => ReportForm({ ctx, values: emptyReportForm(c.get("user")?.email) });
  r.get(`${R}/new`, ...member, (c) => {
    const ctx = context(c);
    return pageWith(c, ctx, newForm(c, ctx));
  });
  // The closed editor: what "Cancel" on the new-report form swaps in.
  r.get(`${R}/editor`, ...member, (c) => (isHtmx(c) ? sendFragment(c, "") : back(c, context(c))));

  r.post(R, ...member, async (c) => {
    const ctx = context(c);
    const values = await formValues(c);
    let created: { id: string };
    try {
      created = createReport(deps.db, c.get("product"), ctx.dashboard.id, validateReportInput(toInput(values)), c.get("user")!.id, now());
    } catch (err) {
      const form = ReportForm({ ctx, values, errors: fieldErrors(err) });
      return pageWith(c, ctx, form, 422);
    }
    // Away from /reports/new (a reload there would open an empty form): to the new report's card.
    const at = `${reportsBase(ctx)}#report-${created.id}`;
    if (!isHtmx(c)) return c.redirect(at, 303);
    c.header("HX-Push-Url", at);
    return section(c, ctx);
  });

  r.get(`${R}/:reportId`, ...member, (c) => {
    const ctx = context(c);
    const reportId = c.req.param("reportId")!;
    getReport(deps.db, ctx.product.id, ctx.dashboard.id, reportId); // 404 before anything else
    return isHtmx(c) ? card(c, ctx, reportId) : back(c, ctx);
  });

  r.get(`${R}/:reportId/edit`, ...member, (c) => {
    const ctx = context(c);
    const report = getReport(deps.db, ctx.product.id, ctx.dashboard.id, c.req.param("reportId")!);
    const values: ReportFormValues = {
      frequency: report.frequency,
      weekday: String(report.weekday ?? 1),
      monthDay: String(report.monthDay ?? 1),
      timeOfDay: report.timeOfDay,
      recipients: report.recipients.map((x) => x.email).join("\n"),
    };
    const form = ReportForm({ ctx, values, reportId: report.id });
    return pageWith(c, ctx, form);
  });

  r.post(`${R}/:reportId`, ...member, async (c) => {
    const ctx = context(c);
    const reportId = c.req.param("reportId")!;
    getReport(deps.db, ctx.product.id, ctx.dashboard.id, reportId);
    const values = await formValues(c);
    try {
      updateReport(deps.db, c.get("product"), ctx.dashboard.id, reportId, validateReportInput(toInput(values)), now());
    } catch (err) {
      const form = ReportForm({ ctx, values, errors: fieldErrors(err), reportId });
      return pageWith(c, ctx, form, 422);
    }
    return isHtmx(c) ? card(c, ctx, reportId, { message: "Schedule saved.", tone: "ok" }) : back(c, ctx);
  });

  for (const [path, paused] of [["pause", true], ["resume", false]] as const) {
    r.post(`${R}/:reportId/${path}`, ...member, (c) => {
      const ctx = context(c);
      const reportId = c.req.param("reportId")!;
      setReportPaused(deps.db, c.get("product"), ctx.dashboard.id, reportId, paused, now());
      return isHtmx(c) ? card(c, ctx, reportId) : back(c, ctx);
    });
  }

  r.post(`${R}/:reportId/delete`, ...member, (c) => {
    const ctx = context(c);
    deleteReport(deps.db, ctx.product.id, ctx.dashboard.id, c.req.param("reportId")!);
    return isHtmx(c) ? section(c, ctx) : back(c, ctx);
  });

  // Renders and sends right away, so the answer can say how it went (and the log shows it).
  r.post(`${R}/:reportId/test`, ...member, async (c) => {
    const ctx = context(c);
    const reportId = c.req.param("reportId")!;
    const delivery = await sendTestReport(deps, c.get("product"), ctx.dashboard.id, reportId);
    const sentTo: string[] = JSON.parse(delivery?.recipients ?? "[]");
    const notice =
      delivery?.status === "sent"
        ? { message: `Test sent to ${sentTo.join(", ")}.${delivery.error ? ` ${delivery.error}.` : ""}`, tone: delivery.error ? ("warn" as const) : ("ok" as const) }
        : { message: `The test was not sent: ${delivery?.error ?? "unknown error"}`, tone: "bad" as const };
    return isHtmx(c) ? card(c, ctx, reportId, notice) : back(c, ctx);
  });

  // ── public: the per-recipient unsubscribe link (a signed URL, no login) ──
  const recipientPage = (rid: string, sig: string) => (verifyUnsubscribe(deps.config.secret, rid, sig) ? findRecipientReport(deps.db, rid) : undefined);

  // GET only shows the button: mail scanners and link previews fetch every URL in a message.
  r.get("/reports/unsubscribe", (c) => {
    const rid = c.req.query("r") ?? "";
    const found = recipientPage(rid, c.req.query("s") ?? "");
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    if (!found) return sendPage(c, UnsubscribePage({ state: "invalid" }), 404);
    const names = { email: found.recipient.email, dashboardName: found.dashboardName, productName: found.productName };
    return sendPage(c, UnsubscribePage({ state: "confirm", ...names, form: { action: new URL(c.req.url).pathname + new URL(c.req.url).search } }));
  });

  // The page's button, and RFC 8058 one-click: the mail client POSTs "List-Unsubscribe=One-Click"
  // to the link itself, from its own servers (no Origin, no cookie). The signature in the URL is
  // the authority; either way the answer is the confirmation page.
  r.post("/reports/unsubscribe", (c) => {
    const rid = c.req.query("r") ?? "";
    const sig = c.req.query("s") ?? "";
    const found = recipientPage(rid, sig);
    c.header("Cache-Control", "no-store");
    if (!found) return sendPage(c, UnsubscribePage({ state: "invalid" }), 404);
    setRecipientPaused(deps.db, rid, true, now());
    const names = { email: found.recipient.email, dashboardName: found.dashboardName, productName: found.productName };
    return sendPage(c, UnsubscribePage({ state: "unsubscribed", ...names, form: { action: "/reports/resubscribe", r: rid, s: sig } }));
  });

  r.post("/reports/resubscribe", async (c) => {
    const { r: rid, s: sig } = await formFields(c, "r", "s");
    const found = recipientPage(rid, sig);
    c.header("Cache-Control", "no-store");
    if (!found) return sendPage(c, UnsubscribePage({ state: "invalid" }), 404);
    setRecipientPaused(deps.db, rid, false, now());
    return sendPage(c, UnsubscribePage({ state: "resubscribed", email: found.recipient.email, dashboardName: found.dashboardName, productName: found.productName }));
  });

  return r;
}

async function formValues(c: Context): Promise<ReportFormValues> {
  const f = await formFields(c, "frequency", "weekday", "month_day", "time_of_day", "recipients");
  return { frequency: f.frequency, weekday: f.weekday, monthDay: f.month_day, timeOfDay: f.time_of_day, recipients: f.recipients };
}

const toInput = (v: ReportFormValues) => ({ frequency: v.frequency, weekday: v.weekday, monthDay: v.monthDay, timeOfDay: v.timeOfDay, recipients: v.recipients });

/** Field problems for the form; anything else goes on to app.onError. */
function fieldErrors(err: unknown): Record<string, string> {
  const errors = formErrorsOf(err);
  if (!errors) throw err;
  return errors;
}
