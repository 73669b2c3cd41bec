import type { StoredSession, WebSink } from "../../storage/web-plane";
import type { Occurrences } from "./fold";
import { DAY_HOURS, HOUR_MS, SESSION_TIMEOUT_MS } from "./dims";
import { ALL_DV, eventValues, snapshotOf, type Session } from "./web-writer";

const DAY_MS = DAY_HOURS * HOUR_MS;

type SessionRow = StoredSession;

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
export function loadProductState(sink: WebSink, productId: string, nowMs: number, occ: Occurrences): Session[] {
  const open = sink.openSessions(productId, nowMs - SESSION_TIMEOUT_MS).map(sessionFromRow);
  let from = Math.floor(nowMs / DAY_MS) * DAY_MS;
  for (const s of open) from = Math.min(from, Math.floor(s.startMs / DAY_MS) * DAY_MS);
  const byId = new Map(open.map((s) => [s.id, s]));
  const events = sink.hitsSince(productId, from);
  for (const e of events) {
    const values = eventValues({ name: e.name, hostname: e.hostname, pathname: e.pathname, props: e.props ? (JSON.parse(e.props) as Record<string, string>) : null });
    const hour = Math.floor(e.ts_ms / HOUR_MS);
    const s = byId.get(e.session_id);
    for (const dv of values) {
      occ.add(productId, e.visitor_id, dv, hour);
      if (s && dv !== ALL_DV) s.seen.add(dv);
    }
  }
  const started = sink.sessionsStartedSince(productId, from);
  for (const r of started) {
    const snap = snapshotOf(sessionFromRow(r));
    for (const dv of snap.values) if (dv !== ALL_DV) occ.add(productId, r.visitor_id, dv, snap.hour);
  }
  return open;
}
