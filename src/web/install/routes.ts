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
import type { WebQueryFunction } from "../dashboard/routes";
import type { WebQuery } from "../dashboard/queries";
import { SNIPPET_TABS, snippets, TEST_VISIT_SOURCE, testVisitUrl, type SnippetTab } from "./snippets";
import { InstallPage, TestVisitStatus, type TestVisitState } from "../../../views/pages/web/install-page";

const WINDOW_MS = 30 * 60_000;

/** The install page and its "test visit arrived?" partial (read through the Stats API function). */
export function installRoutes(deps: Deps, runWebQuery: WebQueryFunction) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps), requirePermission(canUseDashboards, "The install page is for the product's members.")] as const;

  const checkState = async (productId: string): Promise<TestVisitState> => {
    const now = deps.clock.now();
    const range: [string, string] = [isoSeconds(now - WINDOW_MS), isoSeconds(now)];
    const visitors = async (q: WebQuery) => Number((await runWebQuery(deps, productId, q)).results[0]?.metrics[0] ?? 0) || 0;
    const [arrived, recent] = await Promise.all([
      visitors({ metrics: ["visitors"], date_range: range, filters: [["is", "visit:utm_source", [TEST_VISIT_SOURCE]]] }),
      visitors({ metrics: ["visitors"], date_range: range }),
    ]);
    return { arrived, recent };
  };

  r.get("/products/:productId/web/install", ...member, async (c: Context<AppEnv>) => {
    const product = c.get("product");
    const settings = getWebSettings(deps.db, product.id);
    const domains = listDomains(deps.db, product.id);
    const asked = c.req.query("tab");
    const tab: SnippetTab = (SNIPPET_TABS as readonly string[]).includes(asked ?? "") ? (asked as SnippetTab) : "html";
    const base = productUrl(product.id, "web", "install");
    return sendPage(
      c,
      InstallPage({
        header: pageHeader(deps, c, product),
        product,
        snippets: snippets({ scriptUrl: await trackerUrl(deps.config.baseUrl), siteToken: product.siteToken, mode: settings.mode, attributionWindowDays: settings.attributionWindowDays }),
        tab,
        siteToken: product.siteToken,
        domains,
        urls: { base, dashboard: productUrl(product.id, "web"), settings: productUrl(product.id, "settings", "web"), check: `${base}/check` },
        testVisitUrl: domains[0] ? testVisitUrl(domains[0]) : null,
        check: await checkState(product.id),
      }),
    );
  });

  r.get("/products/:productId/web/install/check", ...member, async (c) => {
    const product = c.get("product");
    c.header("Cache-Control", "no-store");
    return sendFragment(c, TestVisitStatus({ state: await checkState(product.id), url: productUrl(product.id, "web", "install", "check") }));
  });

  return r;
}
