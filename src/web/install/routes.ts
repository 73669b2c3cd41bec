import { Hono, type Context } from "hono";
import type { Deps } from "../../deps";
import type { AppEnv } from "../../http/context";
import { requireUser } from "../../auth/middleware";
import { canUseDashboards, productAccess, requirePermission } from "../../products/access";
import { pageHeader } from "../../products/page-header";
import { productUrl } from "../../products/urls";
import { sendFragment, sendPage } from "../../http/render";
import { isoSeconds } from "../../lib/time/dates";
import { getWebSettings, listDomains } from "../sites";
import { trackerUrl } from "../tracker/script";
import { runWebQuery } from "../query/run";
import { SNIPPET_TABS, snippets, testVisitUrl, type SnippetTab } from "./snippets";
import { InstallPage, TestVisitStatus, type TestVisitState } from "../../../views/pages/web/install-page";

const WINDOW_MS = 30 * 60_000;

/** The install page and its "test visit arrived?" partial (read through the Stats API function). */
export function installRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps), requirePermission(canUseDashboards, "The install page is for the product's members.")] as const;

  /**
   * Page views since `since` (when the install page was opened): any page view of the site from
   * then on proves the snippet works, the test visit's or anyone's. (A filter on the test visit's
   * utm_source would miss it when the owner's earlier visit today is still the open session.)
   */
  const checkState = async (productId: string, since: number): Promise<TestVisitState> => {
    await deps.queue.foldWeb(); // a test visit answered 202 a moment ago is counted
    const now = deps.clock.now();
    const count = (range: [string, string]) => Number(runWebQuery(deps, productId, { metrics: ["pageviews"], date_range: range }).results[0]?.metrics[0] ?? 0) || 0;
    return { arrived: count([isoSeconds(since), isoSeconds(now)]), recent: count([isoSeconds(now - WINDOW_MS), isoSeconds(now)]) };
  };

  r.get("/products/:productId/web/install", ...member, async (c: Context<AppEnv>) => {
    const product = c.get("product");
    const settings = getWebSettings(deps.db, product.id);
    const domains = listDomains(deps.db, product.id);
    const asked = c.req.query("tab");
    const tab: SnippetTab = (SNIPPET_TABS as readonly string[]).includes(asked ?? "") ? (asked as SnippetTab) : "html";
    const base = productUrl(product.id, "web", "install");
    const now = deps.clock.now();
    return sendPage(
      c,
      InstallPage({
        header: pageHeader(deps, c, product),
        product,
        snippets: snippets({ scriptUrl: await trackerUrl(deps.config.baseUrl), siteToken: product.siteToken, mode: settings.mode, attributionWindowDays: settings.attributionWindowDays }),
        tab,
        siteToken: product.siteToken,
        domains,
        urls: { base, dashboard: productUrl(product.id, "web"), settings: productUrl(product.id, "settings", "web"), check: `${base}/check?since=${now}` },
        testVisitUrl: domains[0] ? testVisitUrl(domains[0]) : null,
        check: await checkState(product.id, now),
      }),
    );
  });

  r.get("/products/:productId/web/install/check", ...member, async (c) => {
    const product = c.get("product");
    const now = deps.clock.now();
    const asked = Number(c.req.query("since"));
    // Within the last day; anything else (missing, garbage) means "from now".
    const since = Number.isInteger(asked) && asked <= now && asked > now - 86_400_000 ? asked : now;
    c.header("Cache-Control", "no-store");
    return sendFragment(c, TestVisitStatus({ state: await checkState(product.id, since), url: `${productUrl(product.id, "web", "install", "check")}?since=${since}` }));
  });

  return r;
}
