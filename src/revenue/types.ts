/**
 * What every provider's webhook becomes (DESIGN.md "Revenue"): zero or more revenue events in one
 * shape, whichever provider sent them. Amounts are integers in the currency's minor units
 * (cents); refunds are negative. Currencies are ISO 4217, upper case, never converted.
 */
export type RevenueKind = "purchase" | "refund" | "subscription" | "link";

export type SubscriptionState = {
  id: string;
  /** active | trialing | past_due | canceled | … as the provider says it, lower case. */
  status: string;
  /** Monthly recurring revenue in minor units (yearly prices ÷ 12); 0 once it ends; null when the provider does not say (Lemon Squeezy's subscription events carry no price). */
  mrrMinor: number | null;
  interval: "month" | "year" | "week" | "day" | null;
};

export type RevenueEvent = {
  /** The provider's id of this event (webhook delivery, event or order id): what deduplicates. */
  providerEventId: string;
  kind: RevenueKind;
  /**
   * purchase: the paid amount; refund: the negative refunded amount; subscription and link: 0
   * (a change of state; a checkout that only ties a customer to a visit).
   */
  amountMinor: number;
  /**
   * Some providers report a refund as the order's refunded total so far, not the amount of this
   * refund (Polar `refunded_amount`, Lemon Squeezy `refunded_amount`): "cumulative" tells the store
   * to book the difference from what it already booked for `orderId`.
   */
  refundMode: "delta" | "cumulative";
  currency: string;
  paidAt: number;
  customerId: string | null;
  email: string | null;
  /** The product or plan bought, as the provider names it. */
  plan: string | null;
  orderId: string | null;
  subscription: SubscriptionState | null;
  /** From checkout metadata (`litekpi_visitor_id`): the visit it is attributed to, when known. */
  visitorId: string | null;
};

/** A verified delivery: its id and type as the provider gives them, and what it means for revenue. */
export type ParsedDelivery = { id: string; type: string; events: RevenueEvent[] };

export type WebhookRequest = { raw: Uint8Array; headers: Headers; now: number };

export type RevenueProvider = {
  key: "stripe" | "lemonsqueezy" | "polar" | "shopify";
  label: string;
  /** Where the person finds the signing secret, for the settings page. */
  secretHint: string;
  /** Throws AppError 400 `invalid_signature` (nothing else runs) unless the raw bytes are signed with `secret`. */
  verify(req: WebhookRequest, secret: string): void;
  /** The verified body → revenue events; deliveries that carry no revenue give an empty list. */
  parse(req: WebhookRequest): ParsedDelivery;
  /** A sample purchase signed the provider's way with `secret`, for the settings page's "send test event". */
  sample(secret: string, now: number): { raw: Uint8Array; headers: Headers };
};
