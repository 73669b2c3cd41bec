import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { sendPage } from "../http/render";
import { requireUser } from "../auth/middleware";
import { canManageProduct, canViewSettings, productAccess, requirePermission } from "../products/access";
import { pageHeader } from "../products/page-header";
import { formErrorsOf, noStore } from "../http/forms";
import { productUrl } from "../products/urls";
import { SettingsShell } from "../../views/pages/products/settings-shell";
import { WebhooksSection, type WebhooksNotice } from "../../views/pages/webhooks/webhooks-section";
import { DeliveryLog, type DeliveryView } from "../../views/pages/webhooks/delivery-log";
import type { FormErrors } from "../http/forms";
import { EVENT_TYPES } from "./event-types";
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, presentEndpoint, rotateSecret, updateEndpoint, type SaveContext } from "./endpoints";
import { attemptWebhook, getDelivery, listDeliveries, parseBody, sendExample } from "./deliver";
import { attemptsByOutbox, attemptView } from "../delivery/log";
import { maskUrl, maskUrlsIn } from "../outbound/mask";

/**
 * Settings → Webhooks and each endpoint's delivery log. Members see them (secrets masked);
 * the owner adds, switches, rotates, tests, deletes and redelivers. Cookie forms, so the origin
 * check of src/auth/csrf.ts guards every POST; the endpoint is looked up within the product of
 * the URL, so another tenant's id is a 404.
 */
const utc = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 19);

export function webhookPageRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps), requirePermission(canViewSettings, "Settings are for the product's members.")] as const;
  const owner = requirePermission(canManageProduct, "Only the product's owner can change its webhooks.");
  const P = "/products/:productId/settings/webhooks";
  const base = (c: Context<AppEnv>) => productUrl(c.get("product").id, "settings") + "/webhooks";
  const ctx = (c: Context<AppEnv>): SaveContext => ({ allow: deps.config.outboundAllow, secret: deps.config.secret, now: deps.clock.now(), userId: c.get("user")?.id ?? null });

  const page = (c: Context<AppEnv>, extra: { errors?: FormErrors; values?: { url?: string; types?: string[]; description?: string }; notice?: WebhooksNotice } = {}, status = 200) => {
    const product = c.get("product");
    const endpoints = listEndpoints(deps.db, product.id).map((row) => {
      const p = presentEndpoint(row, deps.config.secret);
      return { id: p.id, url: p.url, description: p.description, eventTypes: p.event_types, enabled: p.enabled, disabledReason: p.disabled_reason, secret: p.secret, logUrl: `${base(c)}/${p.id}` };
    });
    if (extra.notice?.secret) noStore(c);
    const section = WebhooksSection({ endpoints, types: EVENT_TYPES, canEdit: canManageProduct(c.get("role")), action: (what) => `${base(c)}${what ? `/${what}` : ""}`, ...extra });
    return sendPage(c, SettingsShell({ header: pageHeader(deps, c, product), product, active: "webhooks", children: section }), status);
  };
  const endpointOf = (c: Context<AppEnv>) => getEndpoint(deps.db, c.get("product").id, c.req.param("webhookId")!);

  r.get(P, ...member, (c) => page(c));

  r.post(P, ...member, owner, async (c) => {
    const body = await c.req.parseBody({ all: true });
    const url = typeof body.url === "string" ? body.url.trim() : "";
    const types = ([] as unknown[]).concat(body.event_types ?? []).filter((t): t is string => typeof t === "string");
    const description = typeof body.description === "string" ? body.description : "";
    try {
      const { row, secret } = await createEndpoint(deps.db, c.get("product").id, { url, event_types: types, ...(description.trim() ? { description } : {}) }, ctx(c));
      return page(c, { notice: { tone: "ok", endpointId: row.id, message: "Webhook added. Copy its signing secret now: it is not shown again.", secret } }, 201);
    } catch (err) {
      const errors = formErrorsOf(err);
      if (!errors) throw err;
      return page(c, { errors, values: { url, types, description } }, 422);
    }
  });

  const toggle = (enabled: boolean) => async (c: Context<AppEnv>) => {
    const ep = endpointOf(c);
    await updateEndpoint(deps.db, ep.productId, ep.id, { enabled }, ctx(c));
    return c.redirect(`${base(c)}#webhook-${ep.id}`, 303);
  };
  r.post(`${P}/:webhookId/enable`, ...member, owner, toggle(true));
  r.post(`${P}/:webhookId/disable`, ...member, owner, toggle(false));

  r.post(`${P}/:webhookId/rotate`, ...member, owner, (c) => {
    const ep = endpointOf(c);
    const { secret } = rotateSecret(deps.db, ep.productId, ep.id, ctx(c));
    return page(c, { notice: { tone: "ok", endpointId: ep.id, message: "New signing secret. Messages carry signatures of both secrets for 24 hours, so switch your receiver over within that time.", secret } });
  });

  r.post(`${P}/:webhookId/test`, ...member, owner, async (c) => {
    const ep = endpointOf(c);
    const body = await c.req.parseBody();
    const type = typeof body.event_type === "string" && EVENT_TYPES.some((t) => t.type === body.event_type) ? body.event_type : (JSON.parse(ep.eventTypes) as string[])[0]!;
    const result = await sendExample(deps, ep, type);
    const message = result.ok ? `Example ${type} delivered (HTTP ${result.statusCode}).` : `Example ${type} not delivered: ${result.error}`;
    return page(c, { notice: { tone: result.ok ? "ok" : "bad", endpointId: ep.id, message } }, result.ok ? 200 : 422);
  });

  r.post(`${P}/:webhookId/delete`, ...member, owner, (c) => {
    const ep = endpointOf(c);
    deleteEndpoint(deps.db, ep.productId, ep.id);
    return c.redirect(base(c), 303);
  });

  const logPage = (c: Context<AppEnv>, notice?: { tone: "ok" | "bad"; message: string }, status = 200) => {
    const product = c.get("product");
    const ep = endpointOf(c);
    const messages = listDeliveries(deps, ep.id);
    const attempts = attemptsByOutbox(deps.db, "webhook", messages.map((d) => d.id));
    const deliveries: DeliveryView[] = messages.map((d) => {
      const log = attempts.get(d.id)!.map((a) => attemptView(a, utc));
      return {
        id: d.id, eventType: d.eventType, status: d.status, attempts: d.attempts, statusCode: d.lastStatusCode, error: d.lastError === null ? null : maskUrlsIn(d.lastError), createdAt: utc(d.createdAt),
        nextAttemptAt: d.nextAttemptAt === null ? null : utc(d.nextAttemptAt), durationMs: log.at(-1)?.durationMs ?? null, body: JSON.stringify(parseBody(d.body), null, 2), log,
      };
    });
    const section = DeliveryLog({ url: maskUrl(ep.url), backUrl: base(c), deliveries, canEdit: canManageProduct(c.get("role")), redeliver: (id) => `${base(c)}/${ep.id}/deliveries/${id}/redeliver`, notice });
    return sendPage(c, SettingsShell({ header: pageHeader(deps, c, product), product, active: "webhooks", children: section }), status);
  };

  r.get(`${P}/:webhookId`, ...member, (c) => logPage(c));

  r.post(`${P}/:webhookId/deliveries/:messageId/redeliver`, ...member, owner, async (c) => {
    const ep = endpointOf(c);
    const d = getDelivery(deps, ep.id, c.req.param("messageId")!);
    const result = await attemptWebhook(deps, d.id, { manual: true });
    return logPage(c, { tone: result.ok ? "ok" : "bad", message: result.ok ? `Delivered again (HTTP ${result.statusCode}).` : `Not delivered: ${result.error}` }, result.ok ? 200 : 422);
  });
  return r;
}
