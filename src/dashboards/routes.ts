import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { isHtmx, sendFragment, sendPage } from "../http/render";
import { requireUser } from "../auth/middleware";
import { canManageKeys, productAccess, requirePermission } from "../products/access";
import { pageHeader } from "../products/page-header";
import { formErrorsOf, formFields, noStore } from "../http/forms";
import { createDashboard, deleteDashboard, getDashboard, listDashboards, moveDashboard, renameDashboard, setDashboardRange } from "./dashboards";
import { listWidgets } from "./widgets";
import { createStarterDashboard, hasData, issueOnboardingKey, onboardingStatus } from "./onboarding";
import { customRangeFromDates } from "./range";
import { AppError } from "../lib/errors";
import { PER_WIDGET, viewRange } from "./view-range";
import { widgetRoutes, widgetUrls } from "./widget-routes";
import { DashboardList, ProductHomePage, type ListedDashboard } from "../../views/pages/dashboards/product-home";
import { OnboardingPanel, OnboardingStatus, Snippets, type OnboardingUrls } from "../../views/pages/dashboards/onboarding";
import { DashboardPage, DashboardTitle, RangePicker, RenameForm } from "../../views/pages/dashboards/dashboard-page";
import { dashboardUrl, productUrl } from "../products/urls";

/**
 * The product home (onboarding, then the dashboard list) and dashboards: create, rename, range,
 * reorder, delete. Widgets have their own router (widget-routes.ts). Every route runs
 * requireUser → productAccess (THE tenant check); a dashboard id of another product is a 404.
 */
export function dashboardRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps)] as const;
  const P = "/products/:productId";
  const D = `${P}/dashboards/:dashboardId`;
  const now = () => deps.clock.now();

  const onboardingUrls = (productId: string): OnboardingUrls => ({
    key: productUrl(productId, "onboarding", "key"),
    status: productUrl(productId, "onboarding", "status"),
    keys: productUrl(productId, "settings", "keys"),
    createStarter: productUrl(productId, "dashboards"),
  });

  const listed = (productId: string): ListedDashboard[] =>
    listDashboards(deps.db, productId).map((d) => ({ id: d.id, name: d.name, updatedAt: d.updatedAt, widgets: listWidgets(deps.db, productId, d.id).length }));

  const homePage = (c: Context<AppEnv>, extra: { error?: string; name?: string } = {}) => {
    const product = c.get("product");
    const waiting = !hasData(deps.reader, product.id);
    const onboarding = waiting
      ? OnboardingPanel({ baseUrl: deps.config.baseUrl, secret: null, canCreateKey: canManageKeys(c.get("role")), urls: onboardingUrls(product.id), status: { kind: "waiting" } })
      : null;
    const list = DashboardList({ productId: product.id, dashboards: listed(product.id), timezone: product.timezone, hasData: !waiting, ...extra });
    return ProductHomePage({ header: pageHeader(deps, c, product), product, onboarding, list });
  };

  r.get(P, ...member, (c) => sendPage(c, homePage(c)));

  r.get(`${P}/onboarding/status`, ...member, (c) => {
    const product = c.get("product");
    return sendFragment(c, OnboardingStatus({ status: onboardingStatus(deps.reader, product, now()), urls: onboardingUrls(product.id) }));
  });

  // The secret exists only in this answer (keys are stored hashed).
  r.post(`${P}/onboarding/key`, ...member, requirePermission(canManageKeys, "create ingest keys"), (c) => {
    const product = c.get("product");
    const secret = issueOnboardingKey(deps.db, product.id, c.get("user")!.id, now());
    noStore(c);
    const snippets = Snippets({ baseUrl: deps.config.baseUrl, secret, canCreateKey: true, urls: onboardingUrls(product.id) });
    if (isHtmx(c)) return sendFragment(c, snippets);
    return sendPage(c, ProductHomePage({ header: pageHeader(deps, c, product), product, onboarding: snippets, list: null }));
  });

  // Create (optionally the starter dashboard of the onboarding panel), then open it.
  r.post(`${P}/dashboards`, ...member, async (c) => {
    const product = c.get("product");
    const form = await formFields(c, "name", "starter_metric");
    try {
      const dashboard = form.starter_metric
        ? createStarterDashboard(deps.db, product.id, { name: form.name || "Overview", metric: form.starter_metric }, now())
        : createDashboard(deps.db, product.id, { name: form.name }, now());
      return c.redirect(dashboardUrl(product.id, dashboard.id), 303);
    } catch (err) {
      const errors = formErrorsOf(err);
      if (!errors) throw err;
      return sendPage(c, homePage(c, { error: errors.name ?? Object.values(errors)[0], name: form.name }), 422);
    }
  });

  r.post(`${D}/move`, ...member, async (c) => {
    const product = c.get("product");
    const { step } = await formFields(c, "step");
    moveDashboard(deps.db, product.id, c.req.param("dashboardId")!, step === "-1" ? -1 : 1, now());
    if (!isHtmx(c)) return c.redirect(productUrl(product.id), 303);
    return sendFragment(c, DashboardList({ productId: product.id, dashboards: listed(product.id), timezone: product.timezone, hasData: true }));
  });

  r.get(D, ...member, (c) => sendPage(c, dashboardPage(c)));

  const dashboardPage = (c: Context<AppEnv>, editor?: Parameters<typeof DashboardPage>[0]["editor"]) => {
    const product = c.get("product");
    const dashboard = getDashboard(deps.db, product.id, c.req.param("dashboardId")!);
    const base = dashboardUrl(product.id, dashboard.id);
    const view = viewRange(new URL(c.req.url).searchParams, dashboard.range, product.timezone, now());
    return DashboardPage({
      header: pageHeader(deps, c, product),
      product,
      dashboard,
      view,
      widgets: listWidgets(deps.db, product.id, dashboard.id),
      widgetUrls: (w) => widgetUrls(base, w.id, view),
      urls: { base, product: productUrl(product.id), reports: `${base}/reports`, order: `${base}/widgets/order`, newWidget: `${base}/widgets/new` },
      editor,
    });
  };

  r.get(`${D}/rename`, ...member, (c) => {
    const { dashboard, base } = load(c);
    return sendFragment(c, RenameForm({ name: dashboard.name, base }));
  });

  r.get(`${D}/title`, ...member, (c) => {
    const { dashboard, base } = load(c);
    return sendFragment(c, DashboardTitle({ name: dashboard.name, base }));
  });

  r.post(`${D}/rename`, ...member, async (c) => {
    const { dashboard, base } = load(c);
    const { name } = await formFields(c, "name");
    try {
      const renamed = renameDashboard(deps.db, dashboard.productId, dashboard.id, { name }, now());
      if (!isHtmx(c)) return c.redirect(base, 303);
      return sendFragment(c, DashboardTitle({ name: renamed.name, base, productName: c.get("product").name }));
    } catch (err) {
      const errors = formErrorsOf(err);
      if (!errors) throw err;
      return sendFragment(c, RenameForm({ name, base, error: errors.name ?? Object.values(errors)[0] }), 422);
    }
  });

  // "Save as default": the range this person looks at becomes the dashboard's (what others open
  // and reports cover). Back to the same view; a value that does not parse goes back as typed, so
  // the page shows the picker's error and the range still in force.
  r.post(`${D}/range`, ...member, async (c) => {
    const { dashboard, base } = load(c);
    const product = c.get("product");
    const form = await formFields(c, "range", "from", "to");
    const custom = form.range === "custom";
    const value = custom ? customRangeFromDates(form.from, form.to, product.timezone) : form.range && form.range !== PER_WIDGET ? form.range : null;
    const back = `${base}?${new URLSearchParams(custom ? { from: form.from, to: form.to } : { range: form.range })}`;
    if (custom && !value) return c.redirect(back, 303);
    try {
      setDashboardRange(deps.db, product.id, dashboard.id, value, now());
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      return c.redirect(back, 303);
    }
    return c.redirect(base, 303);
  });

  r.post(`${D}/delete`, ...member, (c) => {
    const { dashboard } = load(c);
    deleteDashboard(deps.db, dashboard.productId, dashboard.id);
    const home = productUrl(dashboard.productId);
    if (isHtmx(c)) return c.body(null, 204, { "HX-Redirect": home });
    return c.redirect(home, 303);
  });

  const load = (c: Context<AppEnv>) => {
    const product = c.get("product");
    const dashboard = getDashboard(deps.db, product.id, c.req.param("dashboardId")!);
    return { dashboard, base: dashboardUrl(product.id, dashboard.id) };
  };

  r.route("/", widgetRoutes(deps, { dashboardPage }));
  return r;
}
