import type { Db } from "../db/connection";
import { globToRegExp } from "../web/enrich/glob";
import type { PropertyMatch } from "../goals/property-match";
import type { EntityMatches, FunnelSource, ResolvedStep } from "./sources";
import type { EventRow, Hit, SessionRow } from "../web/query/filters";
import { webReaderFor } from "../storage";
import type { FunnelHitRow as Row } from "../storage/web-plane";

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
  if ("visitStart" in step) return () => false; // matched from the visit's first hit (below)
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


export const webFunnelSource: FunnelSource = {
  read(db: Db, productId, steps, span, breakdown, keepHit): Iterable<EntityMatches> {
    const matchers = steps.map(matcherOf);
    const startBits = steps.reduce((m, st, i) => ("visitStart" in st ? m | (1 << i) : m), 0);
    const names = [...new Set(steps.flatMap((st) => ("visitStart" in st ? [] : ["page" in st ? "pageview" : st.event])))];
    // A visit-start step needs only the starts of the visits the other steps' hits are in: a
    // visitor's visits never overlap, so the latest start before a hit is its own visit's.
    const web = webReaderFor(db.$client);
    const rows = web.funnelHits(productId, span.from, span.to, names, startBits !== 0);
    const sessions = new Map<number, SessionRow>();
    const hitOf = (r: Row, props: Record<string, string> | null): Hit => {
      let s = sessions.get(r.session_id);
      if (!s) {
        if (sessions.size > 10_000) sessions.clear();
        sessions.set(r.session_id, (s = web.sessionById(productId, r.session_id)!));
      }
      const e: EventRow = { session_id: r.session_id, visitor_id: r.visitor_id, ts_ms: r.ts_ms, name: r.name, hostname: r.hostname, pathname: r.pathname, props: r.props, engaged_ms: null, scroll_depth: null };
      return { e, s, props };
    };
    const visitColumn = breakdown ? VISIT_COLUMNS[breakdown] : undefined;

    const propName = breakdown && !visitColumn ? breakdown.replace(/^event:props:/, "") : null;
    return (function* () {
      let current: EntityMatches | null = null;
      let lastStartSession: number | null = null;
      for (const r of rows) {
        const props = r.props ? (JSON.parse(r.props) as Record<string, string>) : null;
        let mask = 0;
        for (let i = 0; i < matchers.length; i++) if (matchers[i]!(r.name, r.pathname, props)) mask |= 1 << i;
        if (mask && keepHit && !keepHit(hitOf(r, props))) mask = 0;
        if (!mask) continue;
        const entity = String(r.visitor_id);
        if (!current || current.entity !== entity) {
          if (current) yield current;
          current = { entity, matches: [], breakdown: null };
        }
        // A visit starts 1 ms before its first hit, so a goal met on landing converts in 0 s
        // (steps chain only strictly later) and never reaches back to an earlier visit.
        if (startBits && r.session_id !== lastStartSession && r.start_ms !== null) {
          lastStartSession = r.session_id;
          current.matches.push({ ts: r.start_ms - 1, mask: startBits });
        }
        if (mask) current.matches.push({ ts: r.ts_ms, mask });
        if (breakdown && current.breakdown === null && mask & 1) {
          current.breakdown = visitColumn ? String((web.sessionById(productId, r.session_id) as Record<string, unknown> | null)?.[visitColumn] ?? "") : (props?.[propName!] ?? "");
        }
      }
      if (current) yield current;
    })();
  },
};
