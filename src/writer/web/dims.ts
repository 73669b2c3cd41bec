/**
 * The dimensions the web pre-aggregates keep (src/db/schema/web-data.ts), named as the Stats API
 * names them (DESIGN.md "Web analytics"), so the query side reads `dim` as it is asked.
 * `ALL_DIM` ('' / '') is the row of everything.
 */
export const ALL_DIM = "";

/** Visit attributes, fixed when the visit starts (but the exit page, which moves with each page view). */
export const VISIT_DIMS = [
  ["visit:entry_page", "entryPage"],
  ["visit:exit_page", "exitPage"],
  ["visit:source", "source"],
  ["visit:referrer", "referrer"],
  ["visit:utm_source", "utmSource"],
  ["visit:utm_medium", "utmMedium"],
  ["visit:utm_campaign", "utmCampaign"],
  ["visit:utm_content", "utmContent"],
  ["visit:utm_term", "utmTerm"],
  ["visit:country", "country"],
  ["visit:region", "region"],
  ["visit:device", "device"],
  ["visit:browser", "browser"],
  ["visit:os", "os"],
] as const;
export type VisitField = (typeof VISIT_DIMS)[number][1];

export const PAGE_DIM = "event:page";
export const HOSTNAME_DIM = "event:hostname";
export const GOAL_DIM = "event:goal";
export const PROP_PREFIX = "event:props:";

/** Separates the parts of in-memory keys; enrichment strips control characters from every value. */
export const SEP = "\u0001";

export const HOUR_MS = 3_600_000;
export const DAY_HOURS = 24;
/** A visit ends after 30 minutes without an event (DESIGN.md). */
export const SESSION_TIMEOUT_MS = 30 * 60_000;
/** Engagement of at least this long makes a one-page visit not a bounce (DESIGN.md). */
export const ENGAGED_NOT_BOUNCE_MS = 10_000;
