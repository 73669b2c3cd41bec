import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { requireUser } from "../auth/middleware";
import { canManageKeys, canViewSettings, productAccess, requirePermission } from "./access";
import { createKey, listActiveKeys, regenerateKey, revokeKey } from "./keys";
import { backTo, formFields, noStore, tryField } from "../http/forms";
import { pageOrFragment } from "../http/render";
import { pageHeader } from "./page-header";
import { curlLine } from "../../views/pages/products/new-product";
import { SettingsShell } from "../../views/pages/products/settings-shell";
import { KeysSection, type KeysSectionProps } from "../../views/pages/products/settings-keys";
import { productUrl } from "./urls";

/**
 * API keys of a product (FR-2.2–2.4). A new or regenerated key is answered in full only in the
 * response to that POST (htmx section or whole page) and marked no-store; afterwards it is masked.
 */
export function keyRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps)] as const;
  const owner = [...member, requirePermission(canManageKeys, "Only the product's owner can manage API keys.")] as const;

  const render = (c: Context<AppEnv>, extra: Partial<KeysSectionProps> = {}, status = 200) => {
    const product = c.get("product");
    const props: KeysSectionProps = {
      product,
      keys: listActiveKeys(deps.db, product.id),
      canManage: canManageKeys(c.get("role")),
      now: deps.clock.now(),
      ...extra,
    };
    return pageOrFragment(
      c,
      () => KeysSection(props),
      () => SettingsShell({ header: pageHeader(deps, c, product), product, active: "keys", children: KeysSection(props) }),
      status,
    );
  };
  const reveal = (c: Context<AppEnv>, created: { key: { name: string; scope: string }; secret: string }, regenerated: boolean) => {
    noStore(c);
    const { name, scope } = created.key;
    return render(c, { revealed: { secret: created.secret, name, scope, regenerated, curl: curlLine(deps.config.baseUrl, created.secret) } });
  };

  r.get("/products/:productId/settings/keys", ...member, requirePermission(canViewSettings, "Settings are for the product's members."), (c) => render(c));

  r.post("/products/:productId/settings/keys", ...owner, async (c) => {
    const form = await formFields(c, "name", "scope");
    const created = tryField(() => createKey(deps.db, { productId: c.get("product").id, ...form, createdBy: c.get("user")!.id }, deps.clock.now()));
    if (!created.ok) return render(c, { values: form, errors: created.errors }, 422);
    return reveal(c, created.value, false);
  });

  r.post("/products/:productId/settings/keys/:keyId/regenerate", ...owner, (c) => {
    const created = regenerateKey(deps.db, c.req.param("keyId"), c.get("product").id, deps.clock.now(), c.get("user")!.id);
    return reveal(c, created, true);
  });

  r.post("/products/:productId/settings/keys/:keyId/revoke", ...owner, (c) => {
    const product = c.get("product");
    const key = revokeKey(deps.db, c.req.param("keyId"), deps.clock.now(), product.id);
    if (!c.req.header("HX-Request")) return backTo(c, productUrl(product.id, "settings", "keys"));
    return render(c, { notice: `“${key.name}” was revoked; requests with it now get 401.` });
  });

  return r;
}
