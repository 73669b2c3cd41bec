import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { requireUser } from "../auth/middleware";
import { productAccess } from "../products/access";
import { pageHeader } from "../products/page-header";
import { formFields, formErrorsOf } from "../http/forms";
import { sendFragment, sendPage } from "../http/render";
import { productUrl } from "../products/urls";
import { AppError, badRequest } from "../lib/errors";
import { getWidget } from "../dashboards/widgets";
import { formatLocal } from "../../views/pages/reports/urls";
import { AlertsPage, type ListedRule } from "../../views/pages/alerts/alerts-page";
import { RuleFormPage } from "../../views/pages/alerts/rule-form";
import { RulePage } from "../../views/pages/alerts/rule-page";
import { BacktestPreview } from "../../views/pages/alerts/backtest-chart";
import { NotificationsPage } from "../../views/pages/alerts/notifications-page";
import { emptyRuleForm, filterLines, FORM_FIELDS, formFieldOf, formToBody, ruleToForm, type RuleForm } from "./form";
import { validateRuleInput } from "./rule-input";
import { acknowledgeEpisode, createRule, definitionOf, deleteRule, getRule, listChannels, listEpisodes, listRules, openEpisode, setMuted, setSnooze, updateRule, type RuleRow } from "./rules";
import { backtestRule } from "./backtest";
import { compileRule } from "./evaluate";
import { channelKind } from "./channels";
import { listInbox, markAllRead, openNotification } from "./inbox";
import { listRuleDeliveries } from "./delivery-log";
import { attemptView } from "../delivery/log";
import { maskUrlsIn } from "../outbound/mask";
import { parseDuration } from "./durations";
import type { Product } from "../products/products";

/**
 * The alerts pages: the rules of a product, the rule form with its backtest preview, one rule
 * (its last 30 days, episodes and delivery log, mute/snooze/acknowledge), "Alert on this" from a
 * widget, and the bell's notifications page. Every product route runs requireUser → productAccess.
 */
export function alertPageRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps)] as const;
  const A = "/products/:productId/alerts";
  const now = () => deps.clock.now();
  const header = (c: Context<AppEnv>) => pageHeader(deps, c, c.get("product"));
  const productOf = (c: Context<AppEnv>) => ({ id: c.get("product").id, name: c.get("product").name });

  r.get(A, ...member, (c) => {
    const product = c.get("product");
    return sendPage(c, AlertsPage({ header: header(c), product: productOf(c), rules: listRules(deps.db, product.id).map((rule) => listed(deps, product, rule)) }));
  });

  r.get(`${A}/new`, ...member, (c) => {
    const q = c.req.query();
    const values = emptyRuleForm({ name: q.name ?? "", metric: q.metric ?? "", aggregation: q.aggregation ?? "sum", filters: q.filters ?? "", email_to: c.get("user")!.email });
    return sendPage(c, RuleFormPage({ header: header(c), product: productOf(c), values }));
  });

  // "Alert on this" in a widget's menu: the form, filled in with the widget's query.
  r.get("/products/:productId/dashboards/:dashboardId/widgets/:widgetId/alert", ...member, (c) => {
    const product = c.get("product");
    const widget = getWidget(deps.db, product.id, c.req.param("dashboardId")!, c.req.param("widgetId")!);
    const params = new URLSearchParams({ name: widget.title });
    if (widget.config) {
      params.set("metric", widget.config.metric);
      params.set("aggregation", widget.config.aggregation);
      const lines = filterLines(widget.config.filters);
      if (lines) params.set("filters", lines);
    }
    return c.redirect(`${productUrl(product.id, "alerts")}/new?${params}`, 303);
  });

  r.post(`${A}/preview`, ...member, async (c) => {
    const values = await readForm(c);
    if (!values.metric.trim()) return sendFragment(c, BacktestPreview({ error: "fill in a metric" }));
    try {
      const input = await validateRuleInput({ ...formToBody(values).body, channels: [{ type: "in_app" }] }, { ...prepareCtx(deps, c.get("product")), skipChannels: true });
      return sendFragment(c, BacktestPreview({ backtest: backtestRule(deps.reader, c.get("product"), input, now()) }));
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return sendFragment(c, BacktestPreview({ error: err.message }));
      throw err;
    }
  });

  r.post(A, ...member, async (c) => {
    const product = c.get("product");
    const values = await readForm(c);
    const { body, channelFields } = formToBody(values);
    let created: ReturnType<typeof createRule>;
    try {
      created = createRule(deps.db, product.id, await validateRuleInput(body, prepareCtx(deps, product)), c.get("user")!.id, now());
    } catch (err) {
      return sendPage(c, RuleFormPage({ header: header(c), product: productOf(c), values, errors: formErrors(err, channelFields) }), 422);
    }
    const secret = [...created.shownSecrets.values()][0];
    if (!secret) return c.redirect(`${productUrl(product.id, "alerts")}/${created.rule.id}`, 303);
    c.header("Cache-Control", "no-store"); // the webhook secret, shown once
    return rulePage(c, created.rule, { secret, notice: "Alert created." });
  });

  r.get(`${A}/:alertId`, ...member, (c) => rulePage(c, getRule(deps.db, c.get("product").id, c.req.param("alertId")!), { highlight: c.req.query("at") }));

  r.get(`${A}/:alertId/edit`, ...member, (c) => {
    const rule = getRule(deps.db, c.get("product").id, c.req.param("alertId")!);
    return sendPage(c, RuleFormPage({ header: header(c), product: productOf(c), values: ruleToForm(deps.db, deps.config.secret, rule), ruleId: rule.id }));
  });

  r.post(`${A}/:alertId`, ...member, async (c) => {
    const product = c.get("product");
    const rule = getRule(deps.db, product.id, c.req.param("alertId")!);
    const values = await readForm(c);
    const { body, channelFields } = formToBody(values);
    let saved: ReturnType<typeof updateRule>;
    try {
      const input = await validateRuleInput({ ...body, muted: rule.mutedAt !== null, snoozedUntil: rule.snoozedUntil === null ? null : new Date(rule.snoozedUntil).toISOString() }, { ...prepareCtx(deps, product), existing: listChannels(deps.db, rule.id) });
      saved = updateRule(deps.db, rule, input, true, now());
    } catch (err) {
      return sendPage(c, RuleFormPage({ header: header(c), product: productOf(c), values, errors: formErrors(err, channelFields), ruleId: rule.id }), 422);
    }
    const secret = [...saved.shownSecrets.values()][0];
    if (!secret) return c.redirect(`${productUrl(product.id, "alerts")}/${rule.id}`, 303);
    c.header("Cache-Control", "no-store");
    return rulePage(c, saved.rule, { secret, notice: "Saved." });
  });

  const back = (c: Context<AppEnv>, rule: RuleRow) => c.redirect(`${productUrl(rule.productId, "alerts")}/${rule.id}`, 303);
  for (const [path, muted] of [["mute", true], ["unmute", false]] as const) {
    r.post(`${A}/:alertId/${path}`, ...member, (c) => {
      const rule = getRule(deps.db, c.get("product").id, c.req.param("alertId")!);
      setMuted(deps.db, rule, muted, now());
      return back(c, rule);
    });
  }
  r.post(`${A}/:alertId/snooze`, ...member, async (c) => {
    const rule = getRule(deps.db, c.get("product").id, c.req.param("alertId")!);
    const { for: span } = await formFields(c, "for");
    const ms = span ? parseDuration(span) : null;
    if (span && ms === null) throw badRequest("invalid_input", "Snooze for a duration like 1h", "for");
    setSnooze(deps.db, rule, ms === null ? null : now() + ms, now());
    return back(c, rule);
  });
  r.post(`${A}/:alertId/delete`, ...member, (c) => {
    deleteRule(deps.db, c.get("product").id, c.req.param("alertId")!);
    return c.redirect(productUrl(c.get("product").id, "alerts"), 303);
  });
  r.post(`${A}/:alertId/episodes/:episodeId/acknowledge`, ...member, (c) => {
    const rule = getRule(deps.db, c.get("product").id, c.req.param("alertId")!);
    acknowledgeEpisode(deps.db, rule.productId, rule.id, c.req.param("episodeId")!, c.get("user")!.id, now());
    return back(c, rule);
  });

  // ── the bell ──
  r.get("/notifications", requireUser(), (c) => {
    const user = c.get("user")!;
    const items = listInbox(deps.db, user.id).map((n) => ({ id: n.id, title: n.title, body: n.body, productName: n.productName, createdAt: new Date(n.createdAt).toISOString().slice(0, 16).replace("T", " ") + " UTC", unread: n.readAt === null }));
    return sendPage(c, NotificationsPage({ header: pageHeader(deps, c), items }));
  });
  r.get("/notifications/:inboxNotificationId", requireUser(), (c) => {
    const url = openNotification(deps.db, c.get("user")!.id, c.req.param("inboxNotificationId"), now());
    // Stored as an absolute link (for mail and Slack); the page goes to its path on this server.
    const target = new URL(url, deps.config.baseUrl);
    return c.redirect(target.pathname + target.search, 303);
  });
  r.post("/notifications/read", requireUser(), (c) => {
    markAllRead(deps.db, c.get("user")!.id, now());
    return c.redirect("/notifications", 303);
  });

  async function rulePage(c: Context<AppEnv>, rule: RuleRow, extra: { secret?: string; notice?: string; highlight?: string }) {
    const product = c.get("product");
    let backtest: ReturnType<typeof backtestRule> | { error: string };
    try {
      backtest = backtestRule(deps.reader, product, definitionOf(rule), now());
    } catch (err) {
      backtest = { error: err instanceof Error ? err.message : String(err) };
    }
    const hl = extra.highlight ? Date.parse(extra.highlight) : NaN;
    const episodes = listEpisodes(deps.db, product.id, rule.id).map((e) => ({
      id: e.id,
      status: e.status,
      startedAt: formatLocal(e.startedAt, product.timezone),
      resolvedAt: e.resolvedAt === null ? null : formatLocal(e.resolvedAt, product.timezone),
      startValue: e.startValue,
      threshold: e.threshold,
      highlighted: Number.isFinite(hl) && hl >= e.startedAt && (e.resolvedAt === null || hl <= e.resolvedAt),
    }));
    const when = (ms: number) => formatLocal(ms, product.timezone);
    const deliveries = listRuleDeliveries(deps.db, product.id, rule.id, deps.config.secret).map(({ notification: n, channel, attempts }) => ({
      id: n.id,
      at: when(n.sentAt ?? n.updatedAt),
      channel: channel.label,
      target: channel.target,
      kind: n.kind,
      status: n.status,
      attempts: n.attempts,
      error: n.lastError === null ? null : maskUrlsIn(n.lastError),
      code: attempts.at(-1)?.statusCode ?? null,
      nextAttemptAt: n.status === "retrying" && n.nextAttemptAt !== null ? when(n.nextAttemptAt) : null,
      log: attempts.map((a) => attemptView(a, when)),
    }));
    const hour = Number.isFinite(hl) ? new Date(Math.floor((hl - 1) / 3_600_000) * 3_600_000).toISOString() : undefined;
    return sendPage(c, RulePage({ header: header(c), product: productOf(c), rule: { ...listed(deps, product, rule), window: rule.window }, backtest, highlight: hour, episodes, deliveries, ...extra }));
  }

  return r;
}

const prepareCtx = (deps: Deps, product: Product) => ({ product, now: deps.clock.now(), allow: deps.config.outboundAllow, secret: deps.config.secret, existing: [] });

async function readForm(c: Context): Promise<RuleForm> {
  return (await formFields(c, ...FORM_FIELDS)) as RuleForm;
}

function formErrors(err: unknown, channelFields: string[]): Record<string, string> {
  const raw = formErrorsOf(err);
  if (!raw || !(err instanceof AppError)) throw err;
  const out: Record<string, string> = {};
  for (const e of err.extra.errors ?? [{ field: err.field ?? "name", message: err.message, index: null }]) {
    const field = formFieldOf(e.field ?? "name", channelFields);
    out[field] ??= e.message;
  }
  return out;
}

/** A rule as the list and its page show it. */
function listed(deps: Deps, product: Product, rule: RuleRow): ListedRule {
  const def = definitionOf(rule);
  const compiled = compileRule(rule.id, product, def);
  const filters = filterLines(def.query.filters).split("\n").filter(Boolean).join(", ");
  const open = openEpisode(deps.db, rule.id);
  return {
    id: rule.id,
    name: rule.name,
    watches: `${def.query.aggregation} of ${def.query.metric}${filters ? ` (${filters})` : ""}`,
    condition: `${compiled.kind.tag === "threshold" ? "" : `${compiled.kind.label.toLowerCase()}: `}${compiled.kind.describe(compiled.params)}`,
    state: open ? "firing" : "ok",
    since: open ? formatLocal(open.startedAt, product.timezone) : null,
    muted: rule.mutedAt !== null,
    snoozedUntil: rule.snoozedUntil !== null && rule.snoozedUntil > deps.clock.now() ? formatLocal(rule.snoozedUntil, product.timezone) : null,
    channels: listChannels(deps.db, rule.id).map((ch) => channelKind(ch.type)?.label ?? ch.type),
    lastError: rule.lastError,
  };
}
