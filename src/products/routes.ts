import { Hono } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { pageOrFragment, sendFragment, sendPage } from "../http/render";
import { requireUser } from "../auth/middleware";
import { canDeleteProduct, canManageProduct, canViewSettings, productAccess, requirePermission } from "./access";
import { createProduct, listProductsForUser, updateProduct } from "./products";
import { createKey } from "./keys";
import { deleteProduct } from "./delete-product";
import { backTo, formFields, noStore, redirectAfterForm, tryField } from "../http/forms";
import { pageHeader } from "./page-header";
import { keyRoutes } from "./key-routes";
import { dataRoutes } from "./data-routes";
import { KeyCreatedPage, NewProductPage } from "../../views/pages/products/new-product";
import { ProductListPage } from "../../views/pages/products/product-list";
import { SettingsShell } from "../../views/pages/products/settings-shell";
import { DangerZone, GeneralSection } from "../../views/pages/products/settings-general";
import { productUrl } from "./urls";

/**
 * Products: list, creation (with the ingest key shown once), general settings and deletion.
 * Keys and the team have their own routers, mounted here so the area is one app.route().
 * Every `:productId` route runs requireUser → productAccess (THE tenant check) first.
 */
export function productRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps)] as const;

  r.get("/products", requireUser(), (c) => {
    const products = listProductsForUser(deps.db, c.get("user")!.id);
    return sendPage(c, ProductListPage({ header: pageHeader(deps, c), products }));
  });

  r.get("/products/new", requireUser(), (c) => {
    const first = listProductsForUser(deps.db, c.get("user")!.id).length === 0;
    return sendPage(c, NewProductPage({ header: pageHeader(deps, c), values: { name: "", timezone: "UTC" }, detect: true, first }));
  });

  // Answers with the key page itself (no redirect): the secret exists only in this response.
  r.post("/products", requireUser(), async (c) => {
    const user = c.get("user")!;
    const form = await formFields(c, "name", "timezone");
    const now = deps.clock.now();
    const created = tryField(() => {
      const product = createProduct(deps.db, { ownerId: user.id, name: form.name, timezone: form.timezone || "UTC" }, now);
      const { secret } = createKey(deps.db, { productId: product.id, scope: "ingest", name: "Default ingest key", createdBy: user.id }, now);
      return { product, secret };
    });
    if (!created.ok) {
      const first = listProductsForUser(deps.db, user.id).length === 0;
      return sendPage(c, NewProductPage({ header: pageHeader(deps, c), values: form, errors: created.errors, detect: false, first }), 422);
    }
    const { product, secret } = created.value;
    noStore(c);
    return sendPage(
      c,
      KeyCreatedPage({ header: pageHeader(deps, c, product), productId: product.id, productName: product.name, secret, endpoint: `${deps.config.baseUrl}/api/v1/points` }),
    );
  });

  const generalPage = (c: Parameters<typeof pageHeader>[1], section: ReturnType<typeof GeneralSection>, dangerError?: string) => {
    const product = c.get("product");
    return SettingsShell({
      header: pageHeader(deps, c, product),
      product,
      active: "general",
      children: [section, canDeleteProduct(c.get("role")) ? DangerZone({ product, error: dangerError }) : null],
    });
  };

  r.get("/products/:productId/settings", ...member, requirePermission(canViewSettings, "Settings are for the product's members."), (c) => {
    const section = () => GeneralSection({ product: c.get("product"), canEdit: canManageProduct(c.get("role")) });
    return pageOrFragment(c, section, () => generalPage(c, section()));
  });

  r.post("/products/:productId/settings", ...member, requirePermission(canManageProduct, "Only the product's owner can rename the product or change its time zone."), async (c) => {
    const form = await formFields(c, "name", "timezone");
    const updated = tryField(() => updateProduct(deps.db, c.get("product").id, form, deps.clock.now()));
    if (!updated.ok) {
      const section = () => GeneralSection({ product: c.get("product"), canEdit: true, values: form, errors: updated.errors });
      return pageOrFragment(c, section, () => generalPage(c, section()), 422);
    }
    c.set("product", updated.value);
    if (!c.req.header("HX-Request")) return backTo(c, productUrl(updated.value.id, "settings"));
    return sendFragment(c, GeneralSection({ product: updated.value, canEdit: true, notice: "Saved.", saved: true }));
  });

  // Typing the name is the confirmation; the server checks it, the disabled button only helps.
  r.post("/products/:productId/delete", ...member, requirePermission(canDeleteProduct, "Only the product's owner can delete the product."), async (c) => {
    const product = c.get("product");
    const { confirm } = await formFields(c, "confirm");
    if (confirm.trim() !== product.name) {
      const error = `Type the product's name exactly (${product.name}) to delete it.`;
      return pageOrFragment(c, () => DangerZone({ product, error }), () => generalPage(c, GeneralSection({ product, canEdit: true }), error), 422);
    }
    deleteProduct(deps.db, product.id, deps.clock.now());
    deps.log.info("product deleted", { productId: product.id, by: c.get("user")!.id });
    // The data rows go in the background, in small batches (the job also runs every minute).
    void deps.scheduler.runJobNow("products.purge").catch((err) => deps.log.error("purge after delete failed", { err }));
    return redirectAfterForm(c, "/");
  });

  r.route("/", keyRoutes(deps));
  r.route("/", dataRoutes(deps));
  return r;
}
