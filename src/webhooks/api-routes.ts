import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { apiProduct, identifyKey, rowProduct } from "../products/api-access";
import { readJsonBody } from "../http/json-body";
import { badRequest } from "../lib/errors";
import { EVENT_TYPES } from "./event-types";
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, presentEndpoint, productOfEndpoint, rotateSecret, updateEndpoint, type SaveContext } from "./endpoints";
import { attemptWebhook, getDelivery, listDeliveries, presentDelivery, productOfDelivery, sendExample } from "./deliver";
import { listAttempts, presentAttempt } from "../delivery/log";

/**
 * `/api/v1/webhooks` (manage key or member): the product's outgoing webhooks, their secrets
 * (whole only in the answer that made them), an example send, the delivery log and redelivery.
 * A key implies its product; routes naming an endpoint or delivery take the product from the
 * row, and another tenant's row is a 404 before any scope is judged.
 */
export function webhookApiRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const manage = apiKeyAuth(deps, "manage", { optional: true });
  const identify = identifyKey(deps);
  const ctx = (c: Context<AppEnv>): SaveContext => ({ allow: deps.config.outboundAllow, secret: deps.config.secret, now: deps.clock.now(), userId: c.get("apiKey") ? null : (c.get("user")?.id ?? null) });
  const show = (row: Parameters<typeof presentEndpoint>[0], secret?: string) => presentEndpoint(row, deps.config.secret, secret);
  const endpointOf = (c: Context<AppEnv>) => {
    const id = c.req.param("webhookId")!;
    const product = rowProduct(deps, c, productOfEndpoint(deps.db, id), "manage");
    return getEndpoint(deps.db, product.id, id);
  };
  const noStore = (c: Context<AppEnv>) => c.header("Cache-Control", "no-store");

  app.get("/api/v1/webhooks", manage, (c) => {
    const product = apiProduct(deps, c, c.req.query("product"), "manage");
    return c.json({ webhooks: listEndpoints(deps.db, product.id).map((r) => show(r)), event_types: EVENT_TYPES.map(({ type, label, description }) => ({ type, label, description })) });
  });
  app.post("/api/v1/webhooks", manage, async (c) => {
    const product = apiProduct(deps, c, c.req.query("product"), "manage");
    const { row, secret } = await createEndpoint(deps.db, product.id, await readJsonBody(c), ctx(c));
    noStore(c);
    return c.json(show(row, secret), 201);
  });
  app.get("/api/v1/webhooks/:webhookId", identify, (c) => c.json(show(endpointOf(c))));
  app.patch("/api/v1/webhooks/:webhookId", identify, async (c) => {
    const ep = endpointOf(c);
    return c.json(show(await updateEndpoint(deps.db, ep.productId, ep.id, await readJsonBody(c), ctx(c))));
  });
  app.delete("/api/v1/webhooks/:webhookId", identify, (c) => {
    const ep = endpointOf(c);
    deleteEndpoint(deps.db, ep.productId, ep.id);
    return c.body(null, 204);
  });
  app.post("/api/v1/webhooks/:webhookId/rotate-secret", identify, (c) => {
    const ep = endpointOf(c);
    const { row, secret } = rotateSecret(deps.db, ep.productId, ep.id, ctx(c));
    noStore(c);
    return c.json(show(row, secret));
  });
  app.post("/api/v1/webhooks/:webhookId/test", identify, async (c) => {
    const ep = endpointOf(c);
    const body = (await readJsonBody(c)) as { event_type?: unknown } | null;
    const type = body && typeof body === "object" ? body.event_type : undefined;
    if (typeof type !== "string" || !EVENT_TYPES.some((t) => t.type === type)) throw badRequest("invalid_webhook", `event_type is one of ${EVENT_TYPES.map((t) => t.type).join(", ")}`, "event_type");
    const result = await sendExample(deps, ep, type);
    return c.json({ delivery_id: result.id, ok: result.ok, status_code: result.statusCode, error: result.error });
  });
  app.get("/api/v1/webhooks/:webhookId/deliveries", identify, (c) => {
    const ep = endpointOf(c);
    return c.json({ deliveries: listDeliveries(deps, ep.id).map(presentDelivery) });
  });
  const deliveryOf = (c: Context<AppEnv>) => {
    const id = c.req.param("messageId")!;
    rowProduct(deps, c, productOfDelivery(deps, id), "manage");
    const ep = endpointOf(c);
    const d = getDelivery(deps, ep.id, id);
    return { ep, d };
  };
  app.get("/api/v1/webhooks/:webhookId/deliveries/:messageId", identify, (c) => {
    const { d } = deliveryOf(c);
    return c.json({ ...presentDelivery(d), attempts: listAttempts(deps.db, { kind: "webhook", id: d.id }).map(presentAttempt) });
  });
  app.post("/api/v1/webhooks/:webhookId/deliveries/:messageId/redeliver", identify, async (c) => {
    const { d } = deliveryOf(c);
    const result = await attemptWebhook(deps, d.id, { manual: true });
    return c.json({ delivery_id: d.id, ok: result.ok, status_code: result.statusCode, error: result.error });
  });
  return app;
}
