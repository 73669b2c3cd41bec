import { Hono, type Context } from "hono";
import type { Deps } from "../../deps";
import type { AppEnv } from "../../http/context";
import { requireUser } from "../../auth/middleware";
import { canManageProduct, canViewSettings, productAccess, requirePermission } from "../../products/access";
import { pageHeader } from "../../products/page-header";
import { productUrl } from "../../products/urls";
import { formErrorsOf, formFields } from "../../http/forms";
import { pageOrFragment } from "../../http/render";
import { getProduct } from "../../products/products";
import { addDomain, getWebSettings, listDomains, removeDomain, rotateSiteToken, saveWebSettings } from "../sites";
import { listDrops } from "./drops";
import { parseTrackingForm } from "./tracking-form";
import { SettingsShell } from "../../../views/pages/products/settings-shell";
import { WebSettingsTab, type WebSettingsProps } from "../../../views/pages/web/settings-web";

/**
 * The Web tab of a product's settings: every member sees it; what changes tracking (domains, the
 * site token, mode, window, exclusions) is for owners (DESIGN.md "Settled details": rights).
 */
export function webSettingsRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps), requirePermission(canViewSettings, "Settings are for the product's members.")] as const;
  const owner = [requireUser(), productAccess(deps), requirePermission(canManageProduct, "Only the product's owners can change how the site is tracked.")] as const;

  const render = (c: Context<AppEnv>, extra: Partial<WebSettingsProps> = {}, status = 200) => {
    const product = getProduct(deps.db, c.get("product").id) ?? c.get("product"); // a rotation changed the token
    const props: WebSettingsProps = {
      product: { ...product, siteToken: product.siteToken },
      canEdit: canManageProduct(c.get("role")),
      domains: listDomains(deps.db, product.id),
      settings: getWebSettings(deps.db, product.id),
      drops: listDrops(deps.db, product.id),
      urls: { base: productUrl(product.id, "settings", "web"), install: productUrl(product.id, "web", "install") },
      ...extra,
    };
    return pageOrFragment(
      c,
      () => WebSettingsTab(props),
      () => SettingsShell({ header: pageHeader(deps, c, product), product, active: "web", children: WebSettingsTab(props) }),
      status,
    );
  };

  /** Runs a change; a field error shows the tab again (422) with the message beside its input. */
  const attempt = async (c: Context<AppEnv>, values: WebSettingsProps["values"], change: () => WebSettingsProps["notice"]) => {
    try {
      return render(c, { notice: change() });
    } catch (err) {
      const errors = formErrorsOf(err);
      if (!errors) throw err;
      return render(c, { values, errors }, 422);
    }
  };

  r.get("/products/:productId/settings/web", ...member, (c) => render(c));

  r.post("/products/:productId/settings/web/domains", ...owner, async (c) => {
    const form = await formFields(c, "domain");
    return attempt(c, form, () => {
      const domain = addDomain(deps.db, c.get("product").id, form.domain, deps.clock.now());
      return { section: "domains", message: `${domain} added: page views from it count now.` };
    });
  });

  r.post("/products/:productId/settings/web/domains/remove", ...owner, async (c) => {
    const form = await formFields(c, "domain");
    return attempt(c, {}, () => {
      removeDomain(deps.db, c.get("product").id, form.domain);
      return { section: "domains", message: `${form.domain} removed: page views from it are dropped from now on.`, tone: "warn" };
    });
  });

  r.post("/products/:productId/settings/web/token", ...owner, (c) =>
    attempt(c, {}, () => {
      rotateSiteToken(deps.db, c.get("product").id);
      deps.log.info("site token rotated", { productId: c.get("product").id, by: c.get("user")!.id });
      return { section: "token", message: "New site token: paste the new snippet on your site now; the old one no longer counts.", tone: "warn" };
    }),
  );

  r.post("/products/:productId/settings/web/tracking", ...owner, async (c) => {
    const form = await formFields(c, "mode", "window", "excluded", "ips");
    return attempt(c, form, () => {
      const id = c.get("product").id;
      saveWebSettings(deps.db, id, parseTrackingForm(form, getWebSettings(deps.db, id)), deps.clock.now());
      return { section: "tracking", message: "Tracking settings saved." };
    });
  });

  return r;
}
