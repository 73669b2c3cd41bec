import { localDateAt } from "../lib/time/dates";
import { DASHBOARD_PRESETS, customRangeFromDates, describeRange, effectiveRange, instantsToDates } from "./range";

/**
 * The range one person is looking at. It lives in the page's URL, so two people on one dashboard
 * each see their own and a link shares it; the dashboard's saved range is only the default.
 *
 *   ?range=7d                         a preset (24h … 12mo)
 *   ?range=widget                     each widget's own range, even when the default is a preset
 *   ?from=2026-03-01&to=2026-03-31    whole local days in the product's zone, the end inclusive
 *   (nothing)                         the dashboard's saved range
 *
 * A value that does not parse is not applied: the saved range stays in force and the picker says
 * why, keeping what was typed.
 */
export type ViewRange = {
  /** What the widgets use: a stored-range value ("7d", "custom:<from>/<to>") or null for per widget. */
  value: string | null;
  /** The URL parameters that select it ("" for the saved default), for links and widget loads. */
  query: string;
  /** The date inputs of the custom panel; `label` only when a custom range is applied. */
  customDates: { from: string; to: string; label?: string };
  error?: string;
};

export const PER_WIDGET = "widget";

export function viewRange(params: URLSearchParams, saved: string | null, timeZone: string, now: number): ViewRange {
  const range = params.get("range");
  const from = params.get("from");
  const to = params.get("to");
  const fallback = (error: string, typed?: { from: string; to: string }): ViewRange => ({ ...applied(saved, "", timeZone, now), customDates: typed ?? customDatesOf(saved, timeZone, now), error });
  if (from !== null || to !== null) {
    const value = customRangeFromDates(from ?? "", to ?? "", timeZone);
    if (!value) return fallback("Pick a start and an end date (the end on or after the start)", { from: from ?? "", to: to ?? "" });
    return applied(value, new URLSearchParams({ from: from!.trim(), to: to!.trim() }).toString(), timeZone, now);
  }
  if (range === null || range === "") return applied(saved, "", timeZone, now);
  if (range === PER_WIDGET) return applied(null, `range=${PER_WIDGET}`, timeZone, now);
  if ((DASHBOARD_PRESETS as readonly string[]).includes(range)) return applied(range, `range=${range}`, timeZone, now);
  return fallback("Pick a range: 24h, 7d, 30d, 90d, 12mo or custom dates");
}

/** `url` with the view's parameters added (`?` or `&`). */
export function withView(url: string, view: Pick<ViewRange, "query">): string {
  if (!view.query) return url;
  return url + (url.includes("?") ? "&" : "?") + view.query;
}

function applied(value: string | null, query: string, timeZone: string, now: number): ViewRange {
  return { value, query, customDates: customDatesOf(value, timeZone, now) };
}

/** The custom inputs show the applied custom dates, else the last 30 days as a starting point. */
function customDatesOf(value: string | null, timeZone: string, now: number): ViewRange["customDates"] {
  const resolved = value?.startsWith("custom:") ? effectiveRange({ kind: "last", n: 1, unit: "d" }, value) : null;
  if (resolved && "from" in resolved) {
    const { fromDate, toDate } = instantsToDates(resolved.from, resolved.to, timeZone);
    return { from: fromDate, to: toDate, label: describeRange(resolved, timeZone) };
  }
  return { from: localDateAt(now - 29 * 86_400_000, timeZone), to: localDateAt(now, timeZone) };
}
