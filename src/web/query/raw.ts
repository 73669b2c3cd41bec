import { IDENTIFY } from "../../writer/web/web-writer";
import type { Database } from "bun:sqlite";
import { webReaderFor } from "../../storage";
import { emptyAcc, type Acc } from "./acc";
import { matches, storedValue, type EventRow, type Hit, type SessionRow } from "./filters";
import { filterDims } from "./parse";
import { revenueGoalHits, touchesGoal } from "./revenue-goals";
import { isEventDim, isTimeDim, type Filter, type WebQuery } from "./types";

/**
 * The raw path: filtered queries, several dimensions, scroll depth and time on page, and ranges
 * the hourly aggregates cannot cut exactly. Reads the visits that overlap the range and their
 * hits through indexes (web_sessions by product and last event, web_events by visit) and counts
 * in memory with the same definitions as the aggregates (README "Web analytics: how each metric
 * is computed"):
 * - event scope (an event dimension or filter, or none at all): visitors, page views and events
 *   of the matching hits in range; a visit counts under an event value where it first met it;
 * - visit scope (visit dimensions or filters only): visitors, visits, page views and events of
 *   the matching visits that started in range;
 * - bounce rate and duration: the visits that started in range (under event:page: that entered
 *   on the page); a visit matches an event filter when one of its hits does.
 */
export type Group = { values: string[]; acc: Acc };
type Work = Acc & { ve: Set<string>; vs: Set<string>; eng: Set<string>; scroll: Map<string, number>; pvE: number; cuE: number };
const DAY = 86_400_000;

export function rawGroups(reader: Database, productId: string, q: WebQuery, from: number, to: number, timeKey: (ms: number) => string | null): Map<string, Group> {
  const { sessions, events } = readHits(reader, productId, q, from, to);
  const byId = new Map(sessions.map((s) => [s.id, s]));
  if (touchesGoal(q)) mergeRevenueGoalHits(reader, productId, from, to, sessions, byId, events);
  const filter: Filter | null = q.filters.length ? { op: "and", filters: q.filters } : null;
  const eventScoped = q.dimensions.some(isEventDim) || filterDims(q.filters).some(isEventDim) || (q.dimensions.length === q.dimensions.filter(isTimeDim).length && !q.filters.length);
  const dims = q.dimensions;
  const groups = new Map<string, { values: string[]; w: Work }>();
  const group = (values: string[]) => {
    const key = values.join("\u0001");
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { values, w: { ...emptyAcc(), ve: new Set(), vs: new Set(), eng: new Set(), scroll: new Map(), pvE: 0, cuE: 0 } }));
    return g.w;
  };
  /** The dimension values of a hit at an instant, or null when a dimension does not apply or the instant is outside. */
  const valuesOf = (h: Hit, at: number, pageOf?: string): string[] | null => {
    const out: string[] = [];
    for (const d of dims) {
      if (isTimeDim(d)) {
        const k = timeKey(at);
        if (k === null) return null;
        out.push(k);
        continue;
      }
      const v = d === "event:page" && pageOf !== undefined ? pageOf : storedValue(d, h);
      if (v === undefined) return null;
      out.push(v);
    }
    return out;
  };
  const inRange = (ms: number) => ms >= from && ms < to;
  const hitOf = (e: EventRow): Hit => ({ e, s: byId.get(e.session_id)!, props: e.props ? (JSON.parse(e.props) as Record<string, string>) : null });

  // Visits that match the filters: with an event filter, one of their hits must match.
  const sessionOk = new Map<number, boolean>();
  const hits = events.map(hitOf);
  if (filter) {
    const eventFilter = filterDims(q.filters).some(isEventDim);
    for (const s of sessions) if (!eventFilter) sessionOk.set(s.id, matches(filter, { e: null, s, props: null }));
    if (eventFilter) for (const h of hits) if (h.e!.name !== "engagement" && matches(filter, h)) sessionOk.set(h.s.id, true);
  }
  const visitOk = (s: SessionRow) => !filter || sessionOk.get(s.id) === true;

  // Visit counters: visits that started in range.
  for (const s of sessions) {
    if (!inRange(s.start_ms) || !visitOk(s)) continue;
    const h: Hit = { e: null, s, props: null };
    const values = valuesOf(h, s.start_ms, s.entry_page ?? "");
    if (!values) continue;
    const w = group(values);
    w.sessVisits++;
    w.bounces += s.pageviews <= 1 && s.events === 0 && s.engaged_ms < 10_000 ? 1 : 0;
    w.durationMs += s.last_active_ms - s.start_ms + s.tail_engaged_ms;
    if (!dims.includes("event:page")) {
      w.visits++;
      w.visitPageviews += s.pageviews;
      w.visitEvents += s.custom_events;
      w.vs.add(Math.floor(s.start_ms / DAY) + ":" + s.visitor_id);
    }
  }

  // Event counters: matching hits in range; under event dimensions a visit counts where it first met the value.
  const firstMet = new Set<string>();
  const eventDimsAsked = dims.some(isEventDim);
  for (const h of hits) {
    const e = h.e!;
    if (filter && !matches(filter, h)) continue;
    if (e.name === "engagement") {
      if (!inRange(e.ts_ms)) continue;
      const values = valuesOf(h, e.ts_ms, e.pathname);
      if (!values) continue;
      const w = group(values);
      const vd = Math.floor(e.ts_ms / DAY) + ":" + e.visitor_id;
      if (e.engaged_ms) {
        w.engagedMs += e.engaged_ms;
        w.eng.add(vd);
      }
      if (e.scroll_depth !== null) w.scroll.set(vd + "\u0001" + e.pathname, Math.max(w.scroll.get(vd + "\u0001" + e.pathname) ?? 0, e.scroll_depth));
      continue;
    }
    const values = valuesOf(h, e.ts_ms);
    if (eventDimsAsked) {
      // Where the visit first met these (non-time) values, wherever that was.
      const plain = dims.map((d) => (isTimeDim(d) ? "" : storedValue(d, h)));
      if (!plain.includes(undefined)) {
        const key = h.s.id + "\u0001" + plain.join("\u0001");
        if (!firstMet.has(key)) {
          firstMet.add(key);
          if (inRange(e.ts_ms) && values) group(values).visits++;
        }
      }
    }
    if (!inRange(e.ts_ms) || !values) continue;
    const w = group(values);
    w.ve.add(Math.floor(e.ts_ms / DAY) + ":" + e.visitor_id);
    if (e.name === "pageview") w.pvE++;
    else w.cuE++;
  }

  const out = new Map<string, Group>();
  for (const [key, g] of groups) {
    const w = g.w;
    let scrollSum = 0;
    for (const v of w.scroll.values()) scrollSum += v;
    const acc: Acc = {
      ...emptyAcc(),
      visits: w.visits,
      sessVisits: w.sessVisits,
      bounces: w.bounces,
      durationMs: w.durationMs,
      visitPageviews: w.visitPageviews,
      visitEvents: w.visitEvents,
      scrollSum,
      scrollN: w.scroll.size,
      engagedMs: w.engagedMs,
      engagedVisitors: w.eng.size,
      visitors: eventScoped ? w.ve.size : w.vs.size,
      pageviews: eventScoped ? w.pvE : w.visitPageviews,
      customs: eventScoped ? w.cuE : w.visitEvents,
    };
    if (!eventScoped || dims.length === dims.filter(isTimeDim).length) {
      // Without event dimensions, visits are those that started in range (a visit is one row).
      acc.visits = w.sessVisits;
    }
    if (acc.visitors === 0 && acc.visits === 0 && acc.pageviews === 0 && acc.customs === 0) continue;
    out.set(key, { values: g.values, acc });
  }
  return out;
}

/** Webhook purchases as completions of revenue goals (src/web/query/revenue-goals.ts), in time order with the tracker's hits. */
function mergeRevenueGoalHits(reader: Database, productId: string, from: number, to: number, sessions: SessionRow[], byId: Map<number, SessionRow>, events: EventRow[]) {
  const sent = new Set(events.map((e) => e.session_id + "\u0001" + e.name));
  const extra = revenueGoalHits(reader, productId, from, to, (id, name) => sent.has(id + "\u0001" + name));
  if (!extra.events.length) return;
  for (const s of extra.sessions) {
    if (byId.has(s.id)) continue;
    byId.set(s.id, s);
    sessions.push(s);
  }
  // Stable: a purchase paid in the same millisecond as a hit comes after it.
  const merged = [...events, ...extra.events].map((e, i) => ({ e, i })).sort((a, b) => a.e.ts_ms - b.e.ts_ms || a.i - b.i).map((x) => x.e);
  events.length = 0;
  for (const e of merged) events.push(e);
}

/**
 * The visits overlapping [from, to) and their hits in time order. Under a top-level
 * `["is", "event:goal", names]` filter only hits with those names can match (every counter
 * below skips a hit the filter refuses, and a visit counts only through a matching hit), so
 * only those hits and their visits are read: the goal figures of the dashboard (conversion rate)
 * need not read every visit of the range.
 */
function readHits(reader: Database, productId: string, q: WebQuery, from: number, to: number): { sessions: SessionRow[]; events: EventRow[] } {
  const web = webReaderFor(reader);
  const names = goalNamesOf(q.filters);
  if (!names) return { sessions: web.sessionsOverlapping(productId, from, to), events: web.hitsOfOverlapping(productId, from, to, null) };
  const events = web.hitsOfOverlapping(productId, from, to, names);
  return { sessions: web.sessionsByIds(productId, [...new Set(events.map((e) => e.session_id))]), events };
}

/**
 * The names of a top-level, case-sensitive `is` filter on event:goal (the intersection of several),
 * or null. A value naming a defined goal (src/web/query/goal-filters.ts) matches by page or by
 * the goal's event and props, not by its own name: such a filter reads every hit.
 */
function goalNamesOf(filters: Filter[]): string[] | null {
  if (filters.some((f) => "dim" in f && f.dim === "event:goal" && f.goalTests?.some((t) => t !== null))) return null;
  let names: string[] | null = null;
  for (const f of filters) {
    if (!("dim" in f) || f.dim !== "event:goal" || f.op !== "is" || !f.caseSensitive) continue;
    names = names === null ? [...f.values] : names.filter((n) => f.values.includes(n));
  }
  return names === null ? null : names.filter((n) => n !== IDENTIFY && n !== "pageview" && n !== "engagement");
}
