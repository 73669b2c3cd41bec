/**
 * One raw hit of a flush (a web_events row without its seq), gathered while the flush applies
 * its batches and handed to the data plane at its end, in arrival order (src/storage/web-plane.ts).
 * Nothing in the flush reads web_events between the two (visits are rebuilt from it only for a
 * product not yet loaded, before that product's first hit is applied).
 */
export type WebEventRow = [
  productId: string, sessionId: number, visitorId: number, tsMs: number, name: string, hostname: string, pathname: string,
  props: string | null, engagedMs: number | null, scrollDepth: number | null, revenueAmount: number | null, revenueCurrency: string | null,
];
