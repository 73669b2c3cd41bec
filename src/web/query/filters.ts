import { countryName } from "../enrich/geo";
import { displayValue } from "./acc";
import type { Filter } from "./types";

/** One hit with its visit, as the raw path and the filters see it (src/web/query/raw.ts). */
export type SessionRow = {
  id: number; visitor_id: number; start_ms: number; last_ms: number; last_active_ms: number; tail_engaged_ms: number; engaged_ms: number;
  pageviews: number; events: number; custom_events: number; entry_page: string | null; exit_page: string | null; source: string | null;
  referrer: string | null; utm_source: string | null; utm_medium: string | null; utm_campaign: string | null; utm_content: string | null;
  utm_term: string | null; country: string | null; region: string | null; device: string | null; browser: string | null; os: string | null;
};
export type EventRow = { session_id: number; visitor_id: number; ts_ms: number; name: string; hostname: string; pathname: string; props: string | null; engaged_ms: number | null; scroll_depth: number | null };
export type Hit = { e: EventRow | null; s: SessionRow; props: Record<string, string> | null };

const VISIT_FIELD: Record<string, keyof SessionRow> = {
  "visit:source": "source", "visit:referrer": "referrer", "visit:utm_source": "utm_source", "visit:utm_medium": "utm_medium",
  "visit:utm_campaign": "utm_campaign", "visit:utm_content": "utm_content", "visit:utm_term": "utm_term", "visit:country": "country",
  "visit:country_name": "country", "visit:region": "region", "visit:device": "device", "visit:browser": "browser", "visit:os": "os",
  "visit:entry_page": "entry_page", "visit:exit_page": "exit_page",
};

/**
 * The stored value of a dimension for a hit (visit dimensions read the visit, event dimensions
 * the event), or undefined when the dimension does not apply: event:page is a page view's,
 * event:goal a custom event's.
 */
export function storedValue(dim: string, h: Hit): string | undefined {
  const field = VISIT_FIELD[dim];
  if (field) return (h.s[field] as string | null) ?? "";
  const e = h.e;
  if (!e) return undefined;
  if (dim === "event:page") return e.name === "pageview" ? e.pathname : undefined;
  if (dim === "event:hostname") return e.hostname;
  if (dim === "event:goal") return e.name !== "pageview" && e.name !== "engagement" ? e.name : undefined;
  if (dim.startsWith("event:props:")) return h.props?.[dim.slice(12)];
  return undefined;
}

/** What a filter compares: the displayed value (so "Direct / None" and "(not set)" can be filtered on). */
function filterValue(dim: string, h: Hit): string | undefined {
  if (dim === "event:page") return h.e ? h.e.pathname : undefined; // a filter on pages applies to every event on them
  const v = storedValue(dim, h);
  if (v === undefined) return undefined;
  return dim === "visit:country_name" ? (v === "" ? "" : countryName(v)) : (displayValue(dim, v) ?? "");
}

const regexCache = new Map<string, RegExp>();
function regex(pattern: string, cs: boolean): RegExp {
  const key = (cs ? "1" : "0") + pattern;
  let r = regexCache.get(key);
  if (!r) {
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(key, (r = new RegExp(pattern, cs ? "u" : "iu")));
  }
  return r;
}

export function matches(f: Filter, h: Hit): boolean {
  if ("filters" in f) return f.op === "and" ? f.filters.every((x) => matches(x, h)) : f.filters.some((x) => matches(x, h));
  if ("filter" in f) return !matches(f.filter, h);
  const positive = f.op === "is" || f.op === "contains" || f.op === "matches";
  if (f.goalTests) {
    // A defined goal's own test, else the plain event name (is / is_not only).
    const name = storedValue("event:goal", h);
    const hit = f.values.some((x, i) => (f.goalTests![i] ? f.goalTests![i]!(h) : name !== undefined && (f.caseSensitive ? name === x : name.toLowerCase() === x.toLowerCase())));
    return positive ? hit : !hit;
  }
  const raw = filterValue(f.dim, h);
  if (raw === undefined) return !positive;
  const v = f.caseSensitive ? raw : raw.toLowerCase();
  const values = f.caseSensitive ? f.values : f.values.map((x) => x.toLowerCase());
  let hit: boolean;
  if (f.op === "is" || f.op === "is_not") hit = values.includes(v);
  else if (f.op === "contains" || f.op === "contains_not") hit = values.some((x) => v.includes(x));
  else hit = f.values.some((x) => regex(x, f.caseSensitive).test(raw));
  return positive ? hit : !hit;
}
