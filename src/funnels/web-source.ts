import type { Db } from "../db/connection";
import { globToRegExp } from "../web/enrich/glob";
import type { PropertyMatch } from "../goals/property-match";
import type { EntityMatches, FunnelSource, ResolvedStep } from "./sources";

/**
 * Funnel matches per web visitor, from the tracker's raw hits (web_events): a page step is a page
 * view whose path matches its glob (`*` within a segment, `**` across, as excluded paths read);
 * an event step a custom event (goal) of that name whose props match. In privacy mode a visitor
 * id lasts one UTC day, so a web funnel follows a visitor within that day, as Plausible's does;
 * in attribution mode it follows the id the script keeps.
 *
 * Breakdown: `visit:<dim>` reads the visit of the visitor's first first-step hit in the range
 * (source, device, country…); any other name a prop of that hit (e.g. an A/B `variant`).
 */
const VISIT_COLUMNS: Record<string, string> = {
  "visit:source": "source", "visit:referrer": "referrer", "visit:utm_source": "utm_source", "visit:utm_medium": "utm_medium",
  "visit:utm_campaign": "utm_campaign", "visit:utm_content": "utm_content", "visit:utm_term": "utm_term", "visit:country": "country",
  "visit:region": "region", "visit:device": "device", "visit:browser": "browser", "visit:os": "os", "visit:entry_page": "entry_page",
  "visit:exit_page": "exit_page",
};

type Matcher = (name: string, path: string, props: Record<string, string> | null) => boolean;

function matcherOf(step: ResolvedStep): Matcher {
  if ("page" in step) {
    const re = globToRegExp(step.page);
    return (name, path) => name === "pageview" && re.test(path);
  }
  const want = step.properties;
  return (name, _path, props) => name === step.event && propsMatch(want, props);
}

function propsMatch(want: PropertyMatch | null, props: Record<string, string> | null): boolean {
  if (!want) return true;
  for (const [k, v] of Object.entries(want)) {
    const got = props?.[k];
    if (got === undefined) return false;
    const options = (Array.isArray(v) ? v : [v]).map(String);
    if (!options.includes(got)) return false;
  }
  return true;
}

type Row = { visitor_id: number; ts_ms: number; name: string; pathname: string; props: string | null; session_id: number };

export const webFunnelSource: FunnelSource = {
  read(db: Db, productId, steps, span, breakdown): Iterable<EntityMatches> {
    const matchers = steps.map(matcherOf);
    const names = [...new Set(steps.map((s) => ("page" in s ? "pageview" : s.event)))];
    const rows = db.$client
      .query(
        `SELECT visitor_id, ts_ms, name, pathname, props, session_id FROM web_events
         WHERE product_id = ? AND ts_ms >= ? AND ts_ms < ? AND name IN (${names.map(() => "?").join(", ")})
         ORDER BY visitor_id, ts_ms`,
      )
      .iterate(productId, span.from, span.to, ...names) as Iterable<Row>;
    const visitColumn = breakdown ? VISIT_COLUMNS[breakdown] : undefined;
    const sessionValue = visitColumn ? db.$client.query(`SELECT ${visitColumn} AS v FROM web_sessions WHERE id = ?`) : null;
    const propName = breakdown && !visitColumn ? breakdown.replace(/^event:props:/, "") : null;
    return (function* () {
      let current: EntityMatches | null = null;
      for (const r of rows) {
        const props = r.props ? (JSON.parse(r.props) as Record<string, string>) : null;
        let mask = 0;
        for (let i = 0; i < matchers.length; i++) if (matchers[i]!(r.name, r.pathname, props)) mask |= 1 << i;
        if (!mask) continue;
        const entity = String(r.visitor_id);
        if (!current || current.entity !== entity) {
          if (current) yield current;
          current = { entity, matches: [], breakdown: null };
        }
        current.matches.push({ ts: r.ts_ms, mask });
        if (breakdown && current.breakdown === null && mask & 1) {
          current.breakdown = sessionValue ? String((sessionValue.get(r.session_id) as { v: string | null } | null)?.v ?? "") : (props?.[propName!] ?? "");
        }
      }
      if (current) yield current;
    })();
  },
};
