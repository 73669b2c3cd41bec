import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { sendPage } from "../http/render";
import { requireUser } from "../auth/middleware";
import { canManageProduct, canViewSettings, productAccess, requirePermission } from "../products/access";
import { pageHeader } from "../products/page-header";
import { formErrorsOf, formFields } from "../http/forms";
import { productUrl } from "../products/urls";
import { PROVIDER_KEYS, PROVIDERS, isProviderKey, type ProviderKey } from "./providers";
import { listIntegrations, removeIntegration, setIntegration, testIntegration, webhookUrl } from "./integrations";
import { SettingsShell } from "../../views/pages/products/settings-shell";
import { RevenueSection, type RevenueNotice } from "../../views/pages/products/settings-revenue";
import type { FormErrors } from "../http/forms";
import { notFound } from "../lib/errors";
import { addXLink, listXLinks, removeXLink } from "./x-links";
import { XLinksSection } from "../../views/pages/products/settings-x-links";

/** Where each provider carries `litekpi.visitorId()` back to us (DESIGN.md "Revenue"). */
const HOW_TO: Record<ProviderKey, string> = {
  stripe: "Pass the visitor id as Checkout metadata: metadata: { litekpi_visitor_id: litekpi.visitorId() } (or client_reference_id). Turn on attribution mode (data-persist) so the id lasts until the purchase.",
  lemonsqueezy: "Pass it as custom data: checkout[custom][litekpi_visitor_id]=<litekpi.visitorId()> in the checkout URL, or checkout_data.custom in the API.",
  polar: "Pass it as checkout metadata: metadata: { litekpi_visitor_id: litekpi.visitorId() }.",
  shopify: "Add a cart attribute litekpi_visitor_id with litekpi.visitorId() (POST /cart/update.js { attributes: { litekpi_visitor_id } }); it reaches the order's note attributes.",
};

/** Settings → Revenue: owners connect providers; every member sees the URLs and status. */
export function revenueSettingsRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps), requirePermission(canViewSettings, "Settings are for the product's members.")] as const;
  const owner = requirePermission(canManageProduct, "Only the product's owner can connect payment providers.");
  const P = "/products/:productId/settings/revenue";

  type XForm = { errors: FormErrors; values: { link?: string; label?: string; postUrl?: string } };
  const page = (c: Context<AppEnv>, extra: { errors?: { provider: string; errors: FormErrors }; notice?: RevenueNotice; x?: XForm } = {}, status = 200) => {
    const product = c.get("product");
    const integrations = listIntegrations(deps.db, product.id);
    const providers = PROVIDER_KEYS.map((key) => ({
      key,
      label: PROVIDERS[key].label,
      secretHint: PROVIDERS[key].secretHint,
      url: webhookUrl(deps.config.baseUrl, key, product.id),
      integration: integrations.find((i) => i.provider === key) ?? null,
      howTo: HOW_TO[key],
    }));
    const base = productUrl(product.id, "settings") + "/revenue";
    const { x, ...rest } = extra;
    const canEdit = canManageProduct(c.get("role"));
    const section = RevenueSection({ providers, canEdit, action: (p, what) => `${base}/${p}${what ? `/${what}` : ""}`, ...rest });
    const posts = XLinksSection({ links: listXLinks(deps.db, product.id), canEdit, action: `${base}/x-links`, removeAction: `${base}/x-links/remove`, ...x });
    return sendPage(c, SettingsShell({ header: pageHeader(deps, c, product), product, active: "revenue", children: [section, posts] }), status);
  };
  const providerOf = (c: Context<AppEnv>): ProviderKey => {
    const key = c.req.param("provider") ?? "";
    if (!isProviderKey(key)) throw notFound();
    return key;
  };
  const back = (c: Context<AppEnv>, provider: string) => c.redirect(`${productUrl(c.get("product").id, "settings")}/revenue#revenue-${provider}`, 303);

  r.get(P, ...member, (c) => page(c));

  // Before `/:provider`, which would take "x-links" for a provider's name.
  r.post(`${P}/x-links`, ...member, owner, async (c) => {
    const values = await formFields(c, "link", "label", "postUrl");
    try {
      addXLink(deps.db, c.get("product").id, values, deps.clock.now());
    } catch (err) {
      const errors = formErrorsOf(err);
      if (!errors) throw err;
      return page(c, { x: { errors, values } }, 422);
    }
    return c.redirect(`${productUrl(c.get("product").id, "settings")}/revenue#x-links`, 303);
  });
  r.post(`${P}/x-links/remove`, ...member, owner, async (c) => {
    const { link } = await formFields(c, "link");
    removeXLink(deps.db, c.get("product").id, link);
    return c.redirect(`${productUrl(c.get("product").id, "settings")}/revenue#x-links`, 303);
  });

  r.post(`${P}/:provider`, ...member, owner, async (c) => {
    const provider = providerOf(c);
    const { secret } = await formFields(c, "secret");
    try {
      setIntegration(deps.db, deps.config.secret, c.get("product").id, provider, secret, deps.clock.now());
    } catch (err) {
      const errors = formErrorsOf(err);
      if (!errors) throw err;
      return page(c, { errors: { provider, errors } }, 422);
    }
    return back(c, provider);
  });

  r.post(`${P}/:provider/test`, ...member, owner, (c) => {
    const provider = providerOf(c);
    const result = testIntegration(deps.db, deps.config.secret, c.get("product").id, provider, deps.clock.now());
    return page(c, { notice: { provider, tone: result.ok ? "ok" : "bad", message: result.ok ? result.summary : result.message } }, result.ok ? 200 : 422);
  });

  r.post(`${P}/:provider/delete`, ...member, owner, (c) => {
    const provider = providerOf(c);
    removeIntegration(deps.db, c.get("product").id, provider);
    return back(c, provider);
  });
  return r;
}
