import type { RevenueProvider } from "../types";
import { stripeProvider } from "./stripe";
import { lemonSqueezyProvider } from "./lemonsqueezy";
import { polarProvider } from "./polar";
import { shopifyProvider } from "./shopify";

/**
 * THE table of payment providers (STYLE.md 13): `POST /api/v1/hooks/:provider/:productId`, the
 * settings page and `litekpi integrations set` all dispatch through it. A provider is one module
 * with verify (on the raw bytes, before anything else) and parse (into revenue events).
 */
export const PROVIDERS = {
  stripe: stripeProvider,
  lemonsqueezy: lemonSqueezyProvider,
  polar: polarProvider,
  shopify: shopifyProvider,
} as const satisfies Record<string, RevenueProvider>;

export type ProviderKey = keyof typeof PROVIDERS;
export const PROVIDER_KEYS = Object.keys(PROVIDERS) as ProviderKey[];
export const isProviderKey = (k: string): k is ProviderKey => k in PROVIDERS;
