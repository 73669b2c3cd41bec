import { countryName } from "../enrich/geo";

/**
 * What both query paths (pre-aggregates, raw rows) compute per result row, before the metrics
 * are derived from it with Plausible's rounding (src/web/query/metrics.ts).
 */
export type Acc = {
  visitors: number;
  /** Visits under the row (under event dimensions: visits that met the value). */
  visits: number;
  /** The visits bounce rate and duration are taken over (under event:page: visits that entered there). */
  sessVisits: number;
  bounces: number;
  durationMs: number;
  /** Page views and custom events: of the events in range, or of the visits (visit scope). */
  pageviews: number;
  customs: number;
  /** views_per_visit's numerator: page views of the visits started in range. */
  visitPageviews: number;
  /** Custom events of the visits started in range (events under visit dimensions). */
  visitEvents: number;
  scrollSum: number;
  scrollN: number;
  engagedMs: number;
  engagedVisitors: number;
};

export const emptyAcc = (): Acc => ({ visitors: 0, visits: 0, sessVisits: 0, bounces: 0, durationMs: 0, pageviews: 0, customs: 0, visitPageviews: 0, visitEvents: 0, scrollSum: 0, scrollN: 0, engagedMs: 0, engagedVisitors: 0 });

/**
 * A stored value as the API shows it, or null when Plausible leaves such rows out: no source or
 * referrer is "Direct / None"; an unknown browser, OS or device "(not set)"; an empty UTM value,
 * country or region is no row at all.
 */
export function displayValue(dim: string, stored: string): string | null {
  if (stored !== "") return dim === "visit:country_name" ? countryName(stored) : stored;
  if (dim === "visit:source" || dim === "visit:referrer") return "Direct / None";
  if (dim === "visit:device" || dim === "visit:browser" || dim === "visit:os") return "(not set)";
  return null;
}

/** The aggregate dimension a query dimension reads (names are stored once, as codes). */
export const storedDim = (dim: string) => (dim === "visit:country_name" ? "visit:country" : dim);
