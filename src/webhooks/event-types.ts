/**
 * THE table of product webhook event types: what a subscriber picks, what the settings page and
 * the API list, and the example each "Send example" delivers. Every body is the Standard
 * Webhooks envelope `{ type, timestamp, data }` (src/webhooks/outbox.ts `envelope`).
 */
export type EventTypeInfo = { type: string; label: string; description: string; example: Record<string, unknown> };

const visit = { source: "Google", referrer: "google.com", utm_source: null, utm_medium: null, utm_campaign: null, country: "DE", region: "DE-BE", device: "Desktop", browser: "Firefox", os: "Linux", entry_page: "/pricing", hostname: "example.com" };

export const EVENT_TYPES: EventTypeInfo[] = [
  {
    type: "goal.completed",
    label: "Goal completed",
    description: "A page view or custom event of the web tracker met a page or event goal (once per visit and goal), or a product event met an event goal (every event).",
    example: { product: { id: "prod_example" }, goal: { id: "goal_example", name: "Signup" }, source: "web", at: "2026-03-02T10:00:00.000Z", page: { hostname: "example.com", pathname: "/thank-you" }, props: { plan: "pro" }, visit },
  },
  {
    type: "purchase.completed",
    label: "Purchase",
    description: "A payment provider's webhook (Stripe, Lemon Squeezy, Polar, Shopify) stored a purchase. A redelivered provider webhook announces nothing new.",
    example: { product: { id: "prod_example" }, provider: "stripe", provider_event_id: "evt_example", amount_minor: 4900, currency: "USD", paid_at: "2026-03-02T10:00:00.000Z", customer_id: "cus_example", email: "buyer@example.com", plan: "Pro", order_id: "pi_example", subscription_id: null, visitor_id: null },
  },
  {
    type: "purchase.refunded",
    label: "Refund",
    description: "A refund was stored (amount_minor is negative: what this refund took back).",
    example: { product: { id: "prod_example" }, provider: "stripe", provider_event_id: "evt_example_refund", amount_minor: -4900, currency: "USD", paid_at: "2026-03-03T10:00:00.000Z", customer_id: "cus_example", email: "buyer@example.com", plan: "Pro", order_id: "pi_example", subscription_id: null, visitor_id: null },
  },
  {
    type: "visitor.new",
    label: "New visitor (realtime)",
    description: "The first hit of a new visit. At most 60 a minute per product; visits past that are counted in the next message's skipped.",
    example: { product: { id: "prod_example" }, at: "2026-03-02T10:00:00.000Z", visit, skipped: 0 },
  },
  {
    type: "alert.firing",
    label: "Alert firing",
    description: "An alert rule's episode started. data is the alert webhook body { alert, state, value, threshold, at, url }.",
    example: { alert: { id: "alert_example", name: "Signups dropped", productId: "prod_example", productName: "Example", condition: "sum < 5" }, state: "firing", value: 2, threshold: 5, at: "2026-03-02T10:00:00.000Z", url: "https://litekpi.example.com/p/prod_example/alerts/alert_example" },
  },
  {
    type: "alert.resolved",
    label: "Alert resolved",
    description: "An alert rule's episode ended.",
    example: { alert: { id: "alert_example", name: "Signups dropped", productId: "prod_example", productName: "Example", condition: "sum < 5" }, state: "resolved", value: 7, threshold: 5, at: "2026-03-02T10:05:00.000Z", url: "https://litekpi.example.com/p/prod_example/alerts/alert_example" },
  },
];

export const EVENT_TYPE_NAMES = EVENT_TYPES.map((t) => t.type);
const byType = new Map(EVENT_TYPES.map((t) => [t.type, t]));
export const eventType = (type: string) => byType.get(type);

/** Visitor webhooks per product per minute; more would flood a receiver during a traffic spike. */
export const VISITOR_MESSAGES_PER_MINUTE = 60;
