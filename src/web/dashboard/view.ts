import { parseLocalDate } from "../../lib/time/dates";

/**
 * What one person looks at on the web dashboard, all of it in the URL (shareable, per person):
 *
 *   ?range=7d                          today | 24h | 7d | 30d | 90d | 12mo (default 30d)
 *   ?from=2026-03-01&to=2026-03-31     custom: whole local days in the product's zone, end inclusive
 *   ?source=Google&country=DE          filters, one per dimension (`is`), from clicks on card rows
 *   ?metric=pageviews                  the metric the chart shows (a click on a top number)
 *
 * A value that does not parse is not applied; the page says why (`error`) and shows the default.
 */
export const RANGE_PRESETS = ["today", "24h", "7d", "30d", "90d", "12mo"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export const DEFAULT_RANGE: RangePreset = "30d";

export type WebRange = { kind: "preset"; preset: RangePreset } | { kind: "custom"; from: string; to: string };

/** URL key → Stats API v2 dimension, for every dimension a card row can filter by. */
export const FILTER_DIMENSIONS = {
  source: "visit:source",
  referrer: "visit:referrer",
  utm_source: "visit:utm_source",
  utm_medium: "visit:utm_medium",
  utm_campaign: "visit:utm_campaign",
  utm_content: "visit:utm_content",
  utm_term: "visit:utm_term",
  page: "event:page",
  entry_page: "visit:entry_page",
  exit_page: "visit:exit_page",
  country: "visit:country",
  region: "visit:region",
  device: "visit:device",
  browser: "visit:browser",
  os: "visit:os",
  goal: "event:goal",
} as const;
export type FilterKey = keyof typeof FILTER_DIMENSIONS;
export const FILTER_KEYS = Object.keys(FILTER_DIMENSIONS) as FilterKey[];

/** The metrics of the top row, in order; the chart shows one of them. */
export const TOP_METRICS = ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration", "revenue", "rpv"] as const;
export type TopMetric = (typeof TOP_METRICS)[number];

export type WebFilter = { key: FilterKey; value: string };
export type WebView = { range: WebRange; filters: WebFilter[]; metric: TopMetric; error?: string };

const MAX_FILTER_VALUE = 2000;

export function parseWebView(params: URLSearchParams): WebView {
  const errors: string[] = [];
  let range: WebRange = { kind: "preset", preset: DEFAULT_RANGE };
  const from = params.get("from");
  const to = params.get("to");
  const preset = params.get("range");
  if (from !== null || to !== null) {
    const a = parseLocalDate((from ?? "").trim());
    const b = parseLocalDate((to ?? "").trim());
    if (!a || !b || from!.trim() > to!.trim()) errors.push("Pick a start and an end date (the end on or after the start)");
    else range = { kind: "custom", from: from!.trim(), to: to!.trim() };
  } else if (preset !== null && preset !== "") {
    if ((RANGE_PRESETS as readonly string[]).includes(preset)) range = { kind: "preset", preset: preset as RangePreset };
    else errors.push(`Pick a range: ${RANGE_PRESETS.join(", ")} or custom dates`);
  }
  // In the URL's order (the order they were clicked in), the first value of a repeated key.
  const filters: WebFilter[] = [];
  for (const [key, value] of params) {
    if (!(FILTER_KEYS as string[]).includes(key) || value === "" || filters.some((f) => f.key === key)) continue;
    if (value.length > MAX_FILTER_VALUE) errors.push(`The ${key} filter is longer than ${MAX_FILTER_VALUE} characters`);
    else filters.push({ key: key as FilterKey, value });
  }
  const m = params.get("metric");
  const metric = m && (TOP_METRICS as readonly string[]).includes(m) ? (m as TopMetric) : "visitors";
  return { range, filters, metric, ...(errors.length ? { error: errors.join(". ") } : {}) };
}

/** The view as URL parameters (defaults left out, so plain URLs stay plain). */
export function viewParams(view: Pick<WebView, "range" | "filters" | "metric">): URLSearchParams {
  const p = new URLSearchParams();
  if (view.range.kind === "custom") {
    p.set("from", view.range.from);
    p.set("to", view.range.to);
  } else if (view.range.preset !== DEFAULT_RANGE) p.set("range", view.range.preset);
  for (const f of view.filters) p.set(f.key, f.value);
  if (view.metric !== "visitors") p.set("metric", view.metric);
  return p;
}

/** `base` with the view's parameters, after applying `change` to a copy of the view. */
export function viewUrl(base: string, view: WebView, change: (v: WebView) => WebView = (v) => v): string {
  const q = viewParams(change({ ...view, filters: [...view.filters] })).toString();
  return q ? `${base}?${q}` : base;
}

/** The view's URL with parameters of the route's own (a card's `tab`, `details`). */
export function viewUrlWith(base: string, view: WebView, extra: Record<string, string>): string {
  const p = viewParams(view);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const q = p.toString();
  return q ? `${base}?${q}` : base;
}

export const withFilter = (key: FilterKey, value: string) => (v: WebView): WebView => ({ ...v, filters: [...v.filters.filter((f) => f.key !== key), { key, value }] });
export const withoutFilter = (key: FilterKey) => (v: WebView): WebView => ({ ...v, filters: v.filters.filter((f) => f.key !== key) });
export const withMetric = (metric: TopMetric) => (v: WebView): WebView => ({ ...v, metric });

/** The Stats API v2 filters of a view: each one `is`, all of them together. */
export function queryFilters(filters: WebFilter[]): [string, string, string[]][] {
  return filters.map((f) => ["is", FILTER_DIMENSIONS[f.key], [f.value]]);
}
