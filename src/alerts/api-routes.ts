import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { identifyKey, namedProductAccess, rowProduct } from "../products/api-access";
import { alertRules } from "../db/schema";
import { eq } from "drizzle-orm";
import { readIngestBody } from "../ingest/body";
import { AppError, badRequest, forbidden } from "../lib/errors";
import { canUseDashboards } from "../products/access";
import type { Product } from "../products/products";
import { validateRuleInput } from "./rule-input";
import { acknowledgeEpisode, createRule, deleteRule, getRule, listChannels, listEpisodes, listRules, presentEpisode, presentRule, ruleAsInput, updateRule } from "./rules";
import { backtestRule } from "./backtest";
import { listRuleDeliveries, presentRuleDelivery } from "./delivery-log";

/**
 * The alerts API (DESIGN.md "Alerts"): `POST/GET /api/v1/alerts`, `GET/PATCH/DELETE
 * /api/v1/alerts/:alertId`, an episode's acknowledgement, the rule's delivery log and the backtest. A `manage` key
 * implies its product (naming another is 404); a signed-in member names it (`product` in the body
 * or `?product=`). Cookie requests must be application/json, which a cross-site form cannot send.
 */
const MAX_BODY_BYTES = 64 * 1024;

export function alertApiRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const auth = apiKeyAuth(deps, "manage", { optional: true });
  const identify = identifyKey(deps);
  const now = () => deps.clock.now();

  const access = (c: Context<AppEnv>, named: unknown): { product: Product; userId: string | null } => {
    const { product, role } = namedProductAccess(deps, c, named, { scope: "manage", code: "invalid_alert" });
    if (role !== "key" && !canUseDashboards(role)) throw forbidden("Only members of the product can manage its alerts");
    return { product, userId: c.get("user")?.id ?? null };
  };

  /**
   * Routes naming a rule: the rule says which product it is of, so a member needs no `?product=`,
   * and anyone not of that product (another tenant's key, whatever its scope) gets 404 before
   * any other answer; a key of the right product without `manage` gets 403.
   */
  const ruleAccess = (c: Context<AppEnv>) => {
    const ruleId = c.req.param("alertId")!;
    const productId = deps.db.select({ productId: alertRules.productId }).from(alertRules).where(eq(alertRules.id, ruleId)).get()?.productId;
    const product = rowProduct(deps, c, productId, "manage");
    return { product, userId: c.get("apiKey") ? null : (c.get("user")?.id ?? null), rule: getRule(deps.db, product.id, ruleId) };
  };

  const body = async (c: Context<AppEnv>): Promise<Record<string, unknown>> => {
    if (!c.get("apiKey") && !/^application\/json\b/i.test(c.req.header("Content-Type") ?? "")) {
      throw new AppError(415, "unsupported_media_type", "Send the alert as Content-Type: application/json");
    }
    const { text } = await readIngestBody(c.req.raw, (message) => badRequest("invalid_json", message), { maxBytes: MAX_BODY_BYTES });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw badRequest("invalid_json", "The body is not valid JSON");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw badRequest("invalid_alert", "The alert is a JSON object", "body");
    return parsed as Record<string, unknown>;
  };

  const ctxFor = (product: Product, ruleId?: string) => ({
    product,
    now: now(),
    allow: deps.config.outboundAllow,
    secret: deps.config.secret,
    existing: ruleId ? listChannels(deps.db, ruleId) : [],
  });
  const show = (rule: Parameters<typeof presentRule>[1], shown?: Map<number, string>) => presentRule(deps.db, rule, deps.config.secret, deps.config.baseUrl, shown);

  app.post("/api/v1/alerts", auth, async (c) => {
    const { product: named, ...raw } = await body(c);
    const { product, userId } = access(c, named);
    const input = await validateRuleInput(raw, ctxFor(product));
    const { rule, shownSecrets } = createRule(deps.db, product.id, input, userId, now());
    c.header("Cache-Control", "no-store"); // a webhook's secret is in it, once
    return c.json(show(rule, shownSecrets), 201);
  });

  app.get("/api/v1/alerts", auth, (c) => {
    const { product } = access(c, c.req.query("product"));
    return c.json({ alerts: listRules(deps.db, product.id).map((r) => show(r)) });
  });

  app.get("/api/v1/alerts/:alertId", identify, (c) => {
    const { product, rule } = ruleAccess(c);
    return c.json({ ...show(rule), episodes: listEpisodes(deps.db, product.id, rule.id, 50).map(presentEpisode) });
  });

  // The rule's delivery log: its newest 100 notifications, each with every attempt (THE delivery log's one shape).
  app.get("/api/v1/alerts/:alertId/deliveries", identify, (c) => {
    const { product, rule } = ruleAccess(c);
    return c.json({ deliveries: listRuleDeliveries(deps.db, product.id, rule.id, deps.config.secret).map(presentRuleDelivery) });
  });

  app.patch("/api/v1/alerts/:alertId", identify, async (c) => {
    const { product, rule } = ruleAccess(c);
    const { product: _named, ...patch } = await body(c);
    const channelsGiven = "channels" in patch;
    const merged = { ...ruleAsInput(deps.db, rule, deps.config.secret), ...patch };
    const input = await validateRuleInput(merged, { ...ctxFor(product, rule.id), skipChannels: !channelsGiven });
    const { rule: saved, shownSecrets } = updateRule(deps.db, rule, input, channelsGiven, now());
    c.header("Cache-Control", "no-store");
    return c.json(show(saved, shownSecrets));
  });

  app.delete("/api/v1/alerts/:alertId", identify, (c) => {
    const { product, rule } = ruleAccess(c);
    deleteRule(deps.db, product.id, rule.id);
    return c.body(null, 204);
  });

  app.post("/api/v1/alerts/:alertId/episodes/:episodeId/acknowledge", identify, (c) => {
    const { product, rule, userId } = ruleAccess(c);
    return c.json(presentEpisode(acknowledgeEpisode(deps.db, product.id, rule.id, c.req.param("episodeId"), userId, now())));
  });

  // The backtest of a rule not saved yet (the same body as POST, channels optional): how often it would have fired.
  app.post("/api/v1/alerts/backtest", auth, async (c) => {
    const { product: named, ...raw } = await body(c);
    const { product } = access(c, named);
    const input = await validateRuleInput({ channels: [{ type: "in_app" }], ...raw }, { ...ctxFor(product), skipChannels: true });
    return c.json(backtestRule(deps.reader, product, input, now()));
  });

  return app;
}
