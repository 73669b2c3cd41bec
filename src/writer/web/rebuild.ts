import type { Database } from "bun:sqlite";
import type { Occurrences } from "./fold";
import { DAY_HOURS, HOUR_MS, SESSION_TIMEOUT_MS } from "./dims";
import { ALL_DV, eventValues, snapshotOf, type Session } from "./web-writer";

const DAY_MS = DAY_HOURS * HOUR_MS;

type SessionRow = {
  id: number; product_id: string; visitor_id: number; persisted_id: string | null; start_ms: number; last_ms: number; last_active_ms: number;
  tail_engaged_ms: number; engaged_ms: number; pageviews: number; events: number; custom_events: number; entry_page: string | null; exit_page: string | null;
  hostname: string | null; source: string | null; referrer: string | null; utm_source: string | null; utm_medium: string | null;
  utm_campaign: string | null; utm_content: string | null; utm_term: string | null; click_ids: string | null; country: string | null;
  region: string | null; device: string | null; browser: string | null; os: string | null;
};

export function sessionFromRow(r: SessionRow): Session {
  const s: Session = {
    id: r.id, productId: r.product_id, visitorId: r.visitor_id, persistedId: r.persisted_id, startMs: r.start_ms, lastMs: r.last_ms,
    lastActiveMs: r.last_active_ms, tailEngagedMs: r.tail_engaged_ms, engagedMs: r.engaged_ms, pageviews: r.pageviews, events: r.events, customEvents: r.custom_events,
    entryPage: r.entry_page, exitPage: r.exit_page, hostname: r.hostname, source: r.source, referrer: r.referrer, utmSource: r.utm_source,
    utmMedium: r.utm_medium, utmCampaign: r.utm_campaign, utmContent: r.utm_content, utmTerm: r.utm_term, clickIds: r.click_ids,
    country: r.country, region: r.region, device: r.device, browser: r.browser, os: r.os, seen: new Set(), committed: null,
  };
  s.committed = snapshotOf(s);
  return s;
}

/**
 * The writer's memory of one product, rebuilt from the tables (after a restart, or after a flush
 * rolled back): its open visits, and the occurrences of every visitor-day that can still change
 * (from the UTC day of the oldest open visit's start on). Reads one day or so of raw rows, once.
 */
export function loadProductState(sqlite: Database, productId: string, nowMs: number, occ: Occurrences): Session[] {
  const open = (sqlite.query("SELECT * FROM web_sessions WHERE product_id = ? AND last_ms > ?").all(productId, nowMs - SESSION_TIMEOUT_MS) as SessionRow[]).map(sessionFromRow);
  let from = Math.floor(nowMs / DAY_MS) * DAY_MS;
  for (const s of open) from = Math.min(from, Math.floor(s.startMs / DAY_MS) * DAY_MS);
  const byId = new Map(open.map((s) => [s.id, s]));
  const events = sqlite
    .query("SELECT session_id, visitor_id, ts_ms, name, hostname, pathname, props FROM web_events WHERE product_id = ? AND ts_ms >= ? AND name != 'engagement'")
    .all(productId, from) as { session_id: number; visitor_id: number; ts_ms: number; name: string; hostname: string; pathname: string; props: string | null }[];
  for (const e of events) {
    const values = eventValues({ name: e.name, hostname: e.hostname, pathname: e.pathname, props: e.props ? (JSON.parse(e.props) as Record<string, string>) : null });
    const hour = Math.floor(e.ts_ms / HOUR_MS);
    const s = byId.get(e.session_id);
    for (const dv of values) {
      occ.add(productId, e.visitor_id, dv, hour);
      if (s && dv !== ALL_DV) s.seen.add(dv);
    }
  }
  const started = sqlite.query("SELECT * FROM web_sessions WHERE product_id = ? AND start_ms >= ?").all(productId, from) as SessionRow[];
  for (const r of started) {
    const snap = snapshotOf(sessionFromRow(r));
    for (const dv of snap.values) if (dv !== ALL_DV) occ.add(productId, r.visitor_id, dv, snap.hour);
  }
  return open;
}
