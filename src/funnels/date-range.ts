import { checkDateRange, echoRange, resolveDateRange } from "../web/query/range";

/**
 * A funnel's `date_range`, read by the one parser of `/api/v2/query` (src/web/query/range.ts):
 * the same values, the same refusals (with the funnel API's error code), resolved in `zone` to
 * [from, to), with the label the answer echoes. `firstMs` is the first recorded visit or event,
 * where "all" starts.
 */
export type FunnelRange = { from: number; to: number; label: [string, string] };

export function resolveFunnelRange(input: unknown, zone: string, now: number, firstMs: () => number | null): FunnelRange {
  const r = resolveDateRange(checkDateRange(input, "invalid_funnel"), zone, now, firstMs, "invalid_funnel");
  return { from: r.from, to: r.to, label: echoRange(r) };
}
