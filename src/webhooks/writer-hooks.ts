import type { Database } from "bun:sqlite";
import type { EventRecord, WebHit } from "../writer/batch";
import type { RevenueEvent } from "../revenue/types";
import type { Session } from "../writer/web/web-writer";
import { globToRegExp } from "../web/enrich/glob";
import type { PropertyMatch, PropertyValue } from "../goals/property-match";
import { createOutbox, type Subscription } from "./outbox";
import { VISITOR_MESSAGES_PER_MINUTE } from "./event-types";

/**
 * The writer thread's side of product webhooks: inside each flush transaction, stored hits,
 * events and revenue that are announceable become outbox rows (src/webhooks/outbox.ts), so they
 * commit or roll back with what they announce. Per hit the cost is one Map lookup while the
 * product has no endpoint taking goal or visitor messages: subscriptions are read once per
 * product per flush, goals only for products whose endpoints take goal.completed.
 *
 * Goal completions of the web tracker count once per visit and goal (a reload of the thank-you
 * page is no second signup), like Plausible's conversions; a product event meeting an event goal
 * is announced every time. New visitors: at most VISITOR_MESSAGES_PER_MINUTE per product per
 * minute (of hit time); the visits past it are counted and reported as `skipped` by the next
 * message, so a receiver can still total them.
 */
type CompiledGoal = { id: string; name: string; page: RegExp | null; event: string | null; properties: PropertyMatch | null };
type ProductHooks = { subs: Subscription[]; goals: CompiledGoal[] | null; wantsVisitors: boolean; wantsGoals: boolean; wantsRevenue: boolean };

const VISIT_COLUMNS = (s: Session) => ({
  source: s.source, referrer: s.referrer, utm_source: s.utmSource, utm_medium: s.utmMedium, utm_campaign: s.utmCampaign,
  country: s.country, region: s.region, device: s.device, browser: s.browser, os: s.os, entry_page: s.entryPage, hostname: s.hostname,
});
const iso = (ms: number) => new Date(ms).toISOString();

export function createWebhookHooks(sqlite: Database) {
  const outbox = createOutbox(sqlite);
  const goalRows = sqlite.prepare("SELECT id, name, page, event, properties FROM goals WHERE product_id = ? ORDER BY created_at, name");
  // Goals already announced for a visit (the writer's in-memory visit objects; forgotten with them).
  const announced = new WeakMap<Session, Set<string>>();
  const visitorBudget = new Map<string, { minute: number; sent: number; skipped: number }>();

  function loadGoals(productId: string): CompiledGoal[] {
    return (goalRows.all(productId) as { id: string; name: string; page: string | null; event: string | null; properties: string | null }[]).map((g) => ({
      id: g.id,
      name: g.name,
      page: g.page ? globToRegExp(g.page) : null,
      event: g.event,
      properties: g.properties ? (JSON.parse(g.properties) as PropertyMatch) : null,
    }));
  }

  /** The hooks of one flush: subscriptions are read fresh for each flush (a new endpoint takes effect at once). */
  function begin(now: number) {
    const products = new Map<string, ProductHooks | null>();
    const of = (productId: string): ProductHooks | null => {
      let p = products.get(productId);
      if (p !== undefined) return p;
      const subs = outbox.subscriptions(productId);
      const any = (t: string) => subs.some((s) => s.types.has(t));
      p = subs.length
        ? { subs, goals: null, wantsGoals: any("goal.completed"), wantsVisitors: any("visitor.new"), wantsRevenue: any("purchase.completed") || any("purchase.refunded") }
        : null;
      products.set(productId, p);
      return p;
    };
    const goalsOf = (productId: string, p: ProductHooks) => (p.goals ??= loadGoals(productId));

    return {
      /** A stored tracker hit (not an engagement ping or identify), with its visit; `started` when it opened the visit. */
      webHit(productId: string, h: WebHit, visit: Session, started: boolean) {
        const p = of(productId);
        if (!p) return;
        if (started && p.wantsVisitors) announceVisitor(productId, p, visit, h.tsMs, now);
        if (!p.wantsGoals) return;
        for (const g of goalsOf(productId, p)) {
          const hit = g.page ? h.name === "pageview" && g.page.test(h.pathname) : h.name === g.event && propsMatch(g.properties, (k) => h.props?.[k]);
          if (!hit) continue;
          let seen = announced.get(visit);
          if (!seen) announced.set(visit, (seen = new Set()));
          if (seen.has(g.id)) continue;
          seen.add(g.id);
          const data = {
            product: { id: productId }, goal: { id: g.id, name: g.name }, source: "web", at: iso(h.tsMs),
            page: { hostname: h.hostname, pathname: h.pathname }, props: h.props ?? {}, visit: VISIT_COLUMNS(visit),
          };
          outbox.enqueue(productId, p.subs, "goal.completed", data, h.tsMs, now);
        }
      },
      /** A stored product event (not a duplicate). */
      event(productId: string, e: EventRecord) {
        const p = of(productId);
        if (!p?.wantsGoals) return;
        let props: Record<string, unknown> | undefined;
        let context: Record<string, unknown> | undefined;
        for (const g of goalsOf(productId, p)) {
          if (g.event !== e.name) continue;
          props ??= e.properties ? (JSON.parse(e.properties) as Record<string, unknown>) : {};
          context ??= e.context ? (JSON.parse(e.context) as Record<string, unknown>) : {};
          const lookup = (k: string) => (k in props! ? props![k] : context![k]);
          if (!propsMatch(g.properties, lookup)) continue;
          const data = {
            product: { id: productId }, goal: { id: g.id, name: g.name }, source: "events", at: iso(e.tsMs),
            event: { id: e.id, name: e.name, namespace: e.namespace, user_id: e.userId, session_id: e.sessionId, visitor_id: e.visitorId, properties: props, context },
          };
          outbox.enqueue(productId, p.subs, "goal.completed", data, e.tsMs, now);
        }
      },
      /** A stored revenue event (not a redelivery). */
      revenue(productId: string, provider: string, e: RevenueEvent, amountMinor: number) {
        const p = of(productId);
        if (!p?.wantsRevenue || (e.kind !== "purchase" && e.kind !== "refund")) return;
        const data = {
          product: { id: productId }, provider, provider_event_id: e.providerEventId, amount_minor: amountMinor, currency: e.currency, paid_at: iso(e.paidAt),
          customer_id: e.customerId, email: e.email?.toLowerCase() ?? null, plan: e.plan, order_id: e.orderId, subscription_id: e.subscription?.id ?? null, visitor_id: e.visitorId,
        };
        outbox.enqueue(productId, p.subs, e.kind === "purchase" ? "purchase.completed" : "purchase.refunded", data, e.paidAt, now);
      },
    };
  }

  function announceVisitor(productId: string, p: ProductHooks, visit: Session, atMs: number, now: number) {
    const minute = Math.floor(atMs / 60_000);
    let b = visitorBudget.get(productId);
    if (!b || b.minute !== minute) {
      const carried = b?.skipped ?? 0;
      visitorBudget.set(productId, (b = { minute, sent: 0, skipped: carried }));
    }
    if (b.sent >= VISITOR_MESSAGES_PER_MINUTE) {
      b.skipped++;
      return;
    }
    b.sent++;
    outbox.enqueue(productId, p.subs, "visitor.new", { product: { id: productId }, at: iso(atMs), visit: VISIT_COLUMNS(visit), skipped: b.skipped }, atMs, now);
    b.skipped = 0;
  }

  return { begin, forgetProduct: (productId: string) => visitorBudget.delete(productId) };
}
export type WebhookHooks = ReturnType<typeof createWebhookHooks>;
export type FlushHooks = ReturnType<WebhookHooks["begin"]>;

/** Each key must match one of its values (the goals' `properties`, DESIGN.md "Goals"). Web props are strings, so numbers and booleans compare as text there. */
function propsMatch(want: PropertyMatch | null, get: (key: string) => unknown): boolean {
  if (!want) return true;
  for (const [k, v] of Object.entries(want)) {
    const got = get(k);
    if (got === undefined || got === null) return false;
    const options = (Array.isArray(v) ? v : [v]) as PropertyValue[];
    if (!options.some((o) => o === got || (typeof got === "string" && String(o) === got))) return false;
  }
  return true;
}
