import { Hono, type Context } from "hono";
import type { Deps } from "../../deps";
import type { AppEnv } from "../../http/context";
import { requireUser } from "../../auth/middleware";
import { canUseDashboards, productAccess, requirePermission } from "../../products/access";
import { pageHeader } from "../../products/page-header";
import { productUrl } from "../../products/urls";
import { pageOrFragment, sendFragment } from "../../http/render";
import { getWebSettings } from "../sites";
import { CARDS, cardForView, cardTab, type CardDef, type CardTab } from "./cards";
import { loadCard, loadDashboard, loadPanel, loadRealtime, type CardLoader } from "./load";
import { listGoals } from "../../goals/goals";
import { definedGoalsCard, loadGoalCard, type GoalCardData } from "../../goals/goal-card";
import { GoalTimes } from "../../../views/pages/web/goal-times";
import { resolvePeriods } from "./periods";
import { CARD_ROWS, CSV_ROWS, DETAILS_ROWS, type RunWebQuery } from "./queries";
import { runWebQuery } from "../query/run";
import { parseWebView, viewUrl, viewUrlWith } from "./view";
import { cardCsv, cardCsvFilename } from "./card-csv";
import { revenueColumns } from "./revenue-setup";
import { xLinkLabels } from "../../revenue/x-links";
import { WebDashboardPage, Realtime } from "../../../views/pages/web/web-dashboard";
import { WebPanel, type PanelProps } from "../../../views/pages/web/top-stats";
import { BreakdownCard, type BreakdownProps } from "../../../views/pages/web/breakdown-card";
import { CardDetailsPage } from "../../../views/pages/web/card-details";
import { LtvCard, LtvCardPage, type LtvCardProps, type MrrCardProps } from "../../../views/pages/web/revenue-cards";
import { ltvReport, mrrReport, paymentCurrencies } from "../../revenue/report";

/**
 * The web dashboard of a product, for every member: the page, and each part htmx reloads alone
 * (the totals and chart, each card, the realtime count), each with its own GET route, plus a
 * card's details page and CSV. Every route runs requireUser → productAccess (another tenant's
 * product is a 404).
 */
/** Months the MRR card shows (the API's `months`). */
export const MRR_MONTHS = 6;

export function webDashboardRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps), requirePermission(canUseDashboards, "The web dashboard is for the product's members.")] as const;

  const context = (c: Context<AppEnv>) => {
    const product = c.get("product");
    // THE Stats API v2 function (what POST /api/v2/query answers with): the page's only reader.
    // The aggregates first take in every hit already answered (the writer folds them every few
    // hundred ms); asked once per page, every card's query then reads the same data.
    const folded = deps.queue.foldWeb();
    const run: RunWebQuery = async (q) => (await folded, runWebQuery(deps, product.id, q));
    const view = parseWebView(new URL(c.req.url).searchParams);
    const base = productUrl(product.id, "web");
    const now = deps.clock.now();
    // Defined goals replace the Goals card's list of tracked events (src/goals/goal-card.ts).
    const goals = listGoals(deps.db, product.id);
    const goalsLoader: CardLoader | undefined = goals.length
      ? async (tab, periods, limit = CARD_ROWS) => {
          const card = definedGoalsCard(CARDS.find((c) => c.id === "goals")!, goals);
          return { card, data: await loadGoalCard(run, deps, product, goals, view, periods, now, limit) };
        }
      : undefined;
    return {
      product,
      run,
      view,
      base,
      currency: getWebSettings(deps.db, product.id).currency,
      now,
      revenue: revenueColumns(deps.reader.$client, product.id),
      xPosts: xLinkLabels(deps.db, product.id),
      loaders: { goals: goalsLoader } as Record<string, CardLoader | undefined>,
    };
  };
  type Ctx = ReturnType<typeof context>;

  const cardProps = (x: Ctx, card: CardDef, tab: CardTab, data: BreakdownProps["data"], details = false): BreakdownProps => ({
    card,
    tab,
    data,
    view: x.view,
    base: x.base,
    currency: x.currency,
    details,
    cardUrl: (t, d) => viewUrlWith(`${x.base}/cards/${card.id}`, x.view, d ? { tab: t.id, details: "1" } : { tab: t.id }),
    csvUrl: viewUrlWith(`${x.base}/cards/${card.id}/csv`, x.view, { tab: tab.id }),
  });

  const panelProps = (x: Ctx, data: Awaited<ReturnType<typeof loadPanel>>, periods: PanelProps["periods"]): PanelProps => ({
    base: x.base,
    panelUrl: `${x.base}/panel`,
    view: x.view,
    periods,
    currency: x.currency,
    revenue: x.revenue.enabled,
    ...data,
  });

  // MRR and LTV read the subscription and payment events (src/revenue/report.ts), as /api/v1/revenue/* do.
  const settingsUrl = (x: Ctx) => productUrl(x.product.id, "settings") + "/revenue";
  const mrrProps = (x: Ctx): MrrCardProps => ({ report: mrrReport(deps.reader, x.product, MRR_MONTHS, x.now), months: MRR_MONTHS, settingsUrl: settingsUrl(x) });
  const ltvProps = (x: Ctx, by: "cohort" | "source"): LtvCardProps => ({
    by,
    reports: paymentCurrencies(deps.reader.$client, x.product.id, x.currency).map((cur) => ltvReport(deps.reader.$client, x.product, by, x.now, cur)),
    url: (b) => `${x.base}/revenue/ltv?by=${b}`,
    settingsUrl: settingsUrl(x),
  });

  r.get("/products/:productId/web/revenue/ltv", ...member, (c) => {
    const x = context(c);
    const by = c.req.query("by") === "source" ? "source" : "cohort";
    const props = ltvProps(x, by);
    return pageOrFragment(
      c,
      () => LtvCard(props),
      () => LtvCardPage({ header: pageHeader(deps, c, x.product), product: x.product, back: x.base, card: props }),
    );
  });

  r.get("/products/:productId/web", ...member, async (c) => {
    const x = context(c);
    const data = await loadDashboard(x.run, x.view, x.product.timezone, x.now, { revenue: x.revenue, xPosts: x.xPosts, loaders: x.loaders });
    const visitors = data.panel.top.find((f) => f.metric === "visitors")?.value ?? 0;
    c.header("Cache-Control", "no-store");
    return pageOrFragment(
      c,
      () => WebPanel(panelProps(x, data.panel, data.periods)),
      () =>
        WebDashboardPage({
          header: pageHeader(deps, c, x.product),
          product: x.product,
          view: x.view,
          periods: data.periods,
          urls: { base: x.base, panel: `${x.base}/panel`, realtime: `${x.base}/realtime`, install: `${x.base}/install` },
          panel: panelProps(x, data.panel, data.periods),
          cards: data.cards.map((d) => cardProps(x, d.card, d.tab, d.data)),
          revenue: x.revenue.enabled ? { mrr: mrrProps(x), ltv: ltvProps(x, "cohort") } : undefined,
          realtime: data.realtime,
          empty: visitors === 0 && data.realtime === 0,
        }),
    );
  });

  r.get("/products/:productId/web/panel", ...member, async (c) => {
    const x = context(c);
    const periods = resolvePeriods(x.view.range, x.product.timezone, x.now);
    return sendFragment(c, WebPanel(panelProps(x, await loadPanel(x.run, x.view, periods, x.product.timezone, x.now), periods)));
  });

  r.get("/products/:productId/web/realtime", ...member, async (c) => {
    const x = context(c);
    c.header("Cache-Control", "no-store");
    return sendFragment(c, Realtime({ count: await loadRealtime(x.run, x.now), url: `${x.base}/realtime` }));
  });

  // One route per card of the table (a card id is a name, not a row: nothing to look up).
  for (const base of CARDS) {
    /** The card as this view reads it: its own loader if it has one, else its dimension (conversions under a goal filter). */
    const read = async (x: Ctx, tab: CardTab, periods: ReturnType<typeof resolvePeriods>, o: { details: boolean; limit?: number }) => {
      const own = x.loaders[base.id];
      if (own) return own(tab, periods, o.limit);
      const card = cardForView(base, x.view);
      return { card, data: await loadCard(x.run, card, tab, x.view, periods, { revenue: x.revenue, details: o.details, limit: o.limit, xPosts: x.xPosts }) };
    };

    r.get(`/products/:productId/web/cards/${base.id}`, ...member, async (c) => {
      const x = context(c);
      const tab = cardTab(base, c.req.query("tab"));
      const details = c.req.query("details") === "1";
      const periods = resolvePeriods(x.view.range, x.product.timezone, x.now);
      const { card, data } = await read(x, tab, periods, { details, limit: details ? DETAILS_ROWS : undefined });
      const props = cardProps(x, card, tab, data, details);
      // A goal's details page also shows how long its conversions took (the distribution beside the median).
      const times = "times" in data ? (data as GoalCardData).times : null;
      return pageOrFragment(
        c,
        () => BreakdownCard(props),
        () => CardDetailsPage({ header: pageHeader(deps, c, x.product), product: x.product, back: viewUrl(x.base, x.view), periods, card: props, extra: times ? GoalTimes({ times }) : undefined }),
      );
    });

    r.get(`/products/:productId/web/cards/${base.id}/csv`, ...member, async (c) => {
      const x = context(c);
      const tab = cardTab(base, c.req.query("tab"));
      const periods = resolvePeriods(x.view.range, x.product.timezone, x.now);
      const { card, data } = await read(x, tab, periods, { details: true, limit: CSV_ROWS });
      return c.body(cardCsv(tab, data), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${cardCsvFilename(x.product.name, tab, periods.current[0], periods.current[1])}"`,
        "Cache-Control": "no-store",
      });
    });
  }

  return r;
}
