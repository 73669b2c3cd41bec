import { Hono, type Context } from "hono";
import type { Child } from "hono/jsx";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { isHtmx, pageOrFragment, sendFragment } from "../http/render";
import { requireUser } from "../auth/middleware";
import { AppError } from "../lib/errors";
import { productAccess } from "../products/access";
import { formErrorsOf, formFields } from "../http/forms";
import { listMetrics, listTagKeys, listTagValues, mostRecentMetric } from "../query/discovery";
import { runEngineQuery } from "../query/engine";
import { listDefinitions } from "../metrics/definitions";
import { SAVED_PREFIX } from "../query/events/as-series";
import type { QueryInput } from "../query/types";
import { getDashboard } from "./dashboards";
import { addWidget, getWidget, removeWidget, reorderWidgets, updateWidget, type Widget } from "./widgets";
import { blankFormValues, formValuesOf, readWidgetForm, widgetInputFromForm, type FormErrors, type WidgetFormValues } from "./widget-form";
import { loadWidgetCard } from "./load-widget-card";
import type { TableSort } from "./kinds/table";
import { exportCsvUrl } from "./widget-query";
import { viewRange, withView, type ViewRange } from "./view-range";
import { OobAppend, WidgetCard, WidgetSlot, type WidgetUrls } from "../../views/pages/dashboards/widget-card";
import { FilterRowFields, TagOptions, WidgetForm } from "../../views/pages/dashboards/widget-form";
import { randomToken } from "../lib/tokens";
import { dashboardUrl } from "../products/urls";
import { listFunnels } from "../funnels/saved";
import { funnelsUrl } from "../../views/pages/funnels/funnels-page";

/**
 * Widgets: each card has its own GET route (it loads alone, refreshes alone, and a broken one
 * renders an error card without touching the page); add/edit go through one form; order is
 * posted as a whole list. Numbers come only from the query engine.
 */
export function widgetUrls(base: string, widgetId: string, view: Pick<ViewRange, "query">): WidgetUrls {
  const self = `${base}/widgets/${widgetId}`;
  return { self: withView(self, view), edit: `${self}/edit`, remove: `${self}/delete`, alert: `${self}/alert` };
}

type PageFn = (c: Context<AppEnv>, editor?: Child) => Child;

export function widgetRoutes(deps: Deps, opts: { dashboardPage: PageFn }) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps)] as const;
  const D = "/products/:productId/dashboards/:dashboardId";
  const W = `${D}/widgets`;
  const now = () => deps.clock.now();

  const load = (c: Context<AppEnv>) => {
    const product = c.get("product");
    const dashboard = getDashboard(deps.db, product.id, c.req.param("dashboardId")!);
    return { product, dashboard, base: dashboardUrl(product.id, dashboard.id) };
  };

  // The funnel kind's picker: the product's saved funnels, by id.
  const funnelChoices = (productId: string) => listFunnels(deps.db, productId).map((f) => ({ id: f.id, name: f.name }));

  const form = (c: Context<AppEnv>, values: WidgetFormValues, widget: Widget | null, errors?: FormErrors) => {
    const { product, base } = load(c);
    // Saved metric definitions are offered as `saved:<name>` (the engine's front door answers them).
    const metrics = [...listMetrics(deps.reader, product.id), ...listDefinitions(deps.db, product.id).map((d) => SAVED_PREFIX + d.name)];
    return WidgetForm({
      action: widget ? `${base}/widgets/${widget.id}` : `${base}/widgets`,
      editing: !!widget,
      values,
      errors,
      metrics,
      tagKeys: values.metric ? listTagKeys(deps.reader, product.id, values.metric) : [],
      funnels: funnelChoices(product.id),
      urls: { funnels: funnelsUrl(product.id), tagKeys: `${base}/widgets/suggest/tag-keys`, tagValues: `${base}/widgets/suggest/tag-values`, filterRow: `${base}/widgets/filter-row`, cancel: `${base}/editor` },
    });
  };

  /** htmx gets the form alone; a plain request gets the dashboard page with the form open. */
  const sendForm = (c: Context<AppEnv>, node: Child, status = 200) => pageOrFragment(c, () => node, () => opts.dashboardPage(c, node), status);

  r.get(`${W}/new`, ...member, (c) => {
    load(c);
    const values = blankFormValues();
    // The metric that last received data is the likely one (the one just sent, on a young product).
    values.metric = mostRecentMetric(deps.reader, c.get("product").id) ?? "";
    return sendForm(c, form(c, values, null));
  });

  r.get(`${D}/editor`, ...member, (c) => {
    load(c);
    return sendFragment(c, "");
  });

  r.get(`${W}/suggest/tag-keys`, ...member, (c) => {
    const { product } = load(c);
    const metric = c.req.query("metric") ?? "";
    return sendFragment(c, TagOptions({ values: metric ? listTagKeys(deps.reader, product.id, metric) : [] }));
  });

  r.get(`${W}/suggest/tag-values`, ...member, (c) => {
    const { product } = load(c);
    const metric = c.req.query("metric") ?? "";
    const key = c.req.query("filter_key") ?? "";
    return sendFragment(c, TagOptions({ values: metric && key ? listTagValues(deps.reader, product.id, metric, key) : [] }));
  });

  r.get(`${W}/filter-row`, ...member, (c) => {
    const { base } = load(c);
    return sendFragment(c, FilterRowFields({ row: { key: "", op: "is", value: "" }, index: randomToken(4), urls: { tagValues: `${base}/widgets/suggest/tag-values` } }));
  });

  // Create or update from the form; errors come back as the form (422) with each field's message.
  const save = async (c: Context<AppEnv>, widgetId: string | null) => {
    const { product, dashboard, base } = load(c);
    const existing = widgetId ? getWidget(deps.db, product.id, dashboard.id, widgetId) : null;
    const values = readWidgetForm(await c.req.parseBody({ all: true }));
    let saved: Widget;
    try {
      const input = widgetInputFromForm(values, product.timezone, { funnels: funnelChoices(product.id) });
      saved = existing ? updateWidget(deps.db, product.id, dashboard.id, existing.id, input, now()) : addWidget(deps.db, product.id, dashboard.id, input, now());
    } catch (err) {
      const errors = formErrorsOf(err);
      if (!errors) throw err;
      return sendForm(c, form(c, values, existing, errors), 422);
    }
    if (!isHtmx(c)) return c.redirect(base, 303);
    // The editor closes; the slot is appended to the grid (new) or replaced (edit) out of band,
    // loading for the range of the page the form was sent from (htmx names it in HX-Current-URL).
    const slot = WidgetSlot({ widget: saved, urls: widgetUrls(base, saved.id, pageView(c, dashboard.range, now())), oob: existing ? "outerHTML" : undefined });
    return sendFragment(c, existing ? slot : OobAppend({ target: "#widget-grid", children: slot }));
  };

  r.post(W, ...member, (c) => save(c, null));

  r.post(`${W}/order`, ...member, async (c) => {
    const { product, dashboard } = load(c);
    const { ids } = await formFields(c, "ids");
    reorderWidgets(deps.db, product.id, dashboard.id, ids.split(",").filter(Boolean), now());
    if (!isHtmx(c)) return c.redirect(dashboardUrl(product.id, dashboard.id), 303);
    return c.body(null, 204);
  });

  // THE card of one widget: loads alone, refreshes alone; an invalid config or a refused query is an error card.
  r.get(`${W}/:widgetId`, ...member, async (c) => {
    const { product, dashboard, base } = load(c);
    const widget = getWidget(deps.db, product.id, dashboard.id, c.req.param("widgetId")!);
    // The page's range travels in the card's own URL (view-range.ts), else the saved default.
    const view = viewRange(new URL(c.req.url).searchParams, dashboard.range, product.timezone, now());
    const urls = widgetUrls(base, widget.id, view);
    const state = tableState(c);
    const run = (q: QueryInput) => runEngineQuery(deps.reader, product, q, now());
    const card = await loadWidgetCard(run, widget, { dashboardRange: view.value, timezone: product.timezone, page: state.page, sort: state.sort });
    const exportUrl = card.query ? exportCsvUrl(product.id, card.query) : null;
    // Only a table's links give page or sort; the refresh keeps them.
    const refreshUrl = state.given ? withView(urls.self, { query: new URLSearchParams(state.params).toString() }) : urls.self;
    return sendFragment(c, WidgetCard({ widget, urls, refreshUrl, exportUrl, rangeLabel: card.rangeLabel, body: card.body }));
  });

  r.get(`${W}/:widgetId/edit`, ...member, (c) => {
    const { product, dashboard } = load(c);
    const widget = getWidget(deps.db, product.id, dashboard.id, c.req.param("widgetId")!);
    return sendForm(c, form(c, formValuesOf(widget, product.timezone), widget));
  });

  r.post(`${W}/:widgetId`, ...member, (c) => save(c, c.req.param("widgetId")!));

  r.post(`${W}/:widgetId/delete`, ...member, (c) => {
    const { product, dashboard, base } = load(c);
    removeWidget(deps.db, product.id, dashboard.id, c.req.param("widgetId")!);
    if (!isHtmx(c)) return c.redirect(base, 303);
    return sendFragment(c, "");
  });

  return r;
}

/** The range of the page a request came from (htmx sends its URL), else the saved default. */
function pageView(c: Context<AppEnv>, saved: string | null, now: number): ViewRange {
  const page = c.req.header("HX-Current-URL");
  let params = new URLSearchParams();
  try {
    if (page) params = new URL(page).searchParams;
  } catch {
    // not a URL: the saved default
  }
  return viewRange(params, saved, c.get("product").timezone, now);
}

function tableState(c: Context) {
  const page = Number(c.req.query("page") ?? "1");
  const by = c.req.query("sort");
  const dir = c.req.query("dir");
  const sort: Partial<TableSort> = {};
  if (by === "time" || by === "group" || by === "value") sort.by = by;
  if (dir === "asc" || dir === "desc") sort.dir = dir;
  const params: Record<string, string> = { page: String(Number.isFinite(page) && page >= 1 ? Math.floor(page) : 1) };
  if (sort.by) params.sort = sort.by;
  if (sort.dir) params.dir = sort.dir;
  return { page: Number(params.page), sort, params, given: c.req.query("page") !== undefined || !!by };
}

