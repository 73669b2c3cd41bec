import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Stripe from "stripe";
import { startBed, startReceiver, iso, MIN, type Bed } from "./support";
import { setIntegration } from "../../src/revenue/integrations";
import { addDomain } from "../../src/web/sites";
import { sendPlausible } from "../web/support";

/**
 * Each trigger end to end, through the real entry points and the real delivery job, to a real
 * receiver that verifies every message with the standardwebhooks library: a Stripe-signed
 * checkout → purchase.completed; tracker page views on a goal page → goal.completed once per
 * visit (and visitor.new for each new visit); a product event meeting an event goal; an alert
 * episode → alert.firing and alert.resolved.
 */
const T0 = Date.UTC(2026, 2, 10, 12, 0);
let bed: Bed;
let rx: ReturnType<typeof startReceiver>;
let domain: string;

beforeAll(async () => {
  bed = await startBed({ start: T0 });
  rx = startReceiver({ now: () => bed.clock.now() });
  const hook = await bed.addWebhook(rx.url, ["goal.completed", "purchase.completed", "purchase.refunded", "visitor.new", "alert.firing", "alert.resolved"]);
  rx.secrets.push(hook.secret);
  domain = addDomain(bed.server.deps.db, bed.owner.product.id, "hooks-shop.example", T0);
});
afterAll(async () => {
  await bed.stop();
  rx.stop();
});

const byType = (type: string) => rx.got.filter((m) => m.json.type === type);

describe("product webhook triggers", () => {
  test("a Stripe-signed checkout → one signed purchase.completed; its redelivery announces nothing", async () => {
    const secret = "whsec_stripe_for_hooks";
    setIntegration(bed.server.deps.db, bed.server.deps.config.secret, bed.owner.product.id, "stripe", secret, T0);
    const stripe = new Stripe("sk_test_x");
    const payload = JSON.stringify({ id: "evt_h1", type: "checkout.session.completed", created: T0 / 1000, data: { object: { id: "cs_h1", mode: "payment", payment_status: "paid", amount_total: 4900, currency: "usd", customer: "cus_9", customer_details: { email: "Buyer@Example.com" }, metadata: { litekpi_visitor_id: "v-9" } } } });
    const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, timestamp: T0 / 1000 });
    for (let i = 0; i < 2; i++) {
      const res = await bed.server.fetch(`/api/v1/hooks/stripe/${bed.owner.product.id}`, { method: "POST", body: payload, headers: { "Content-Type": "application/json", "Stripe-Signature": header } });
      expect(res.status).toBe(200);
    }
    await bed.deliver();
    const got = byType("purchase.completed");
    expect(got).toHaveLength(1);
    expect(got[0]!.verified).toHaveLength(1);
    expect(got[0]!.id).toStartWith("msg_");
    expect(got[0]!.json.data).toMatchObject({ product: { id: bed.owner.product.id }, provider: "stripe", amount_minor: 4900, currency: "USD", customer_id: "cus_9", visitor_id: "v-9" });
    expect(got[0]!.json.timestamp).toBe(iso(T0));
  });

  test("tracker hits on a goal page → goal.completed once per visit, visitor.new per new visit", async () => {
    const goal = await bed.api("POST", "/api/v1/goals", { name: "Signup", page: "/thank-you*" });
    expect(goal.status).toBe(201);
    const before = { goals: byType("goal.completed").length, visitors: byType("visitor.new").length };
    const hit = (path: string, ip: string) => sendPlausible(bed.server.url, { n: "pageview", d: domain, u: `https://${domain}${path}`, r: "https://www.google.com/" }, { xff: ip });
    for (const [path, ip] of [["/pricing", "198.51.100.7"], ["/thank-you", "198.51.100.7"], ["/thank-you?again=1", "198.51.100.7"], ["/thank-you-team", "198.51.100.8"], ["/blog", "198.51.100.9"]] as const) {
      expect((await hit(path, ip)).status).toBe(202);
    }
    await bed.deliver();
    const goals = byType("goal.completed").slice(before.goals);
    expect(goals.map((m) => m.json.data.page.pathname).sort()).toEqual(["/thank-you", "/thank-you-team"]);
    expect(goals[0]!.json.data).toMatchObject({ goal: { name: "Signup" }, source: "web", visit: { source: "Google", entry_page: expect.any(String) } });
    expect(JSON.stringify(goals)).not.toContain("198.51.100");
    const visitors = byType("visitor.new").slice(before.visitors);
    expect(visitors).toHaveLength(3);
    expect(visitors.map((m) => m.json.data.visit.entry_page).sort()).toEqual(["/blog", "/pricing", "/thank-you-team"]);
    for (const m of [...goals, ...visitors]) expect(m.verified).toHaveLength(1);
  });

  test("a product event meeting an event goal (with properties) → goal.completed; one that does not → nothing", async () => {
    expect((await bed.api("POST", "/api/v1/goals", { name: "Pro signup", event: "signup", properties: { plan: "pro" } })).status).toBe(201);
    const before = byType("goal.completed").length;
    const res = await bed.server.fetch("/api/v1/events", {
      method: "POST",
      headers: { Authorization: `Bearer ${bed.owner.ingestKey}`, "Content-Type": "application/json" },
      body: JSON.stringify([
        { event: "signup", id: "ev-1", properties: { plan: "pro" }, context: { user_id: "u-1" } },
        { event: "signup", id: "ev-2", properties: { plan: "free" } },
        { event: "signup", id: "ev-1", properties: { plan: "pro" } },
      ]),
    });
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 1 });
    await bed.deliver();
    const got = byType("goal.completed").slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]!.json.data).toMatchObject({ goal: { name: "Pro signup" }, source: "events", event: { id: "ev-1", name: "signup", user_id: "u-1", properties: { plan: "pro" } } });
  });

  test("an alert episode → alert.firing, then alert.resolved, with the alert webhook body as data", async () => {
    const rule = await bed.api("POST", "/api/v1/alerts", { name: "Orders spike", query: { metric: "orders", aggregation: "sum" }, window: "1m", condition: { op: ">", value: 5 }, channels: [{ type: "in_app" }] });
    expect(rule.status).toBe(201);
    const ruleId = ((await rule.json()) as { id: string }).id;
    const start = bed.clock.now();
    const points = [{ metric: "orders", value: 10, timestamp: iso(start + 30_000) }];
    expect((await bed.server.fetch("/api/v1/points", { method: "POST", headers: { Authorization: `Bearer ${bed.owner.ingestKey}`, "Content-Type": "application/json" }, body: JSON.stringify(points) })).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      bed.clock.advance(MIN);
      await bed.server.deps.scheduler.runJobNow("alerts.evaluate");
    }
    await bed.deliver();
    const firing = byType("alert.firing");
    const resolved = byType("alert.resolved");
    expect(firing).toHaveLength(1);
    expect(resolved).toHaveLength(1);
    expect(firing[0]!.json.data).toMatchObject({ alert: { id: ruleId, name: "Orders spike" }, state: "firing", value: 10, threshold: 5 });
    expect(resolved[0]!.json.data).toMatchObject({ state: "resolved" });
    expect(firing[0]!.verified).toHaveLength(1);
  });

  test("erasing a person removes the webhook messages that name them, with their delivery log", async () => {
    const bodies = () => bed.server.deps.db.$client.query("SELECT body FROM webhook_messages").all().map((r) => (r as { body: string }).body).join("\n");
    const attempts = () => (bed.server.deps.db.$client.query("SELECT count(*) AS n FROM delivery_attempts WHERE webhook_message_id IS NOT NULL").get() as { n: number }).n;
    expect(bodies()).toContain("buyer@example.com");
    expect(bodies()).toContain('"user_id":"u-1"');
    const before = attempts();
    for (const person of ["BUYER@example.com", "u-1"]) {
      const res = await bed.api("DELETE", `/api/v1/people/${encodeURIComponent(person)}`);
      expect(res.status).toBe(200);
    }
    expect(bodies()).not.toContain("buyer@example.com");
    expect(bodies()).not.toContain('"user_id":"u-1"');
    expect(attempts()).toBe(before - 2);
  });

  test("the delivery log holds every message as sent, one attempt each", async () => {
    const rows = bed.deliveries();
    expect(rows.length).toBe(rx.got.length - 2); // the two erased above
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["sent"]));
    expect(rows.every((r) => r.attempts === 1 && r.last_status_code === 200)).toBe(true);
  });
});
