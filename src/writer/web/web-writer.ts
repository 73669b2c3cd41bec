import type { Database } from "bun:sqlite";
import type { WebBatch, WebHit, WebResult } from "../batch";
import { AggFold, BOUNCES, DURATION, EV, Occurrences, prepareAgg, PV, VISIT_EV, VISIT_PV, VISITS } from "./fold";
import { ALL_DIM, DAY_HOURS, ENGAGED_NOT_BOUNCE_MS, GOAL_DIM, HOSTNAME_DIM, HOUR_MS, PAGE_DIM, PROP_PREFIX, SEP, SESSION_TIMEOUT_MS, VISIT_DIMS } from "./dims";
import { loadProductState } from "./rebuild";

/** A visit as the writer keeps it: the web_sessions row plus what the aggregates last got from it. */
export type Session = {
  id: number;
  productId: string;
  visitorId: number;
  persistedId: string | null;
  startMs: number;
  lastMs: number;
  lastActiveMs: number;
  tailEngagedMs: number;
  engagedMs: number;
  pageviews: number;
  events: number;
  customEvents: number;
  entryPage: string | null;
  exitPage: string | null;
  hostname: string | null;
  source: string | null;
  referrer: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmContent: string | null;
  utmTerm: string | null;
  clickIds: string | null;
  country: string | null;
  region: string | null;
  device: string | null;
  browser: string | null;
  os: string | null;
  /** Event-dimension values this visit met (each counts the visit once, where it first met it). */
  seen: Set<string>;
  /** What the aggregates hold for this visit (null: nothing yet). */
  committed: Snapshot | null;
};

/** A visit's share of the visit counters: one visit under each of its visit-dimension values, in its start hour. */
export type Snapshot = { hour: number; values: string[]; bounce: number; durationMs: number; pageviews: number; customEvents: number };

export const isBounce = (s: Pick<Session, "pageviews" | "events" | "engagedMs">) => (s.pageviews <= 1 && s.events === 0 && s.engagedMs < ENGAGED_NOT_BOUNCE_MS ? 1 : 0);
export const durationOf = (s: Pick<Session, "startMs" | "lastActiveMs" | "tailEngagedMs">) => s.lastActiveMs - s.startMs + s.tailEngagedMs;

export function snapshotOf(s: Session): Snapshot {
  const values = [ALL_DIM + SEP + ""];
  for (const [dim, field] of VISIT_DIMS) values.push(dim + SEP + (s[field] ?? ""));
  return { hour: Math.floor(s.startMs / HOUR_MS), values, bounce: isBounce(s), durationMs: durationOf(s), pageviews: s.pageviews, customEvents: s.customEvents };
}

/** The event-dimension values of one (non-engagement) hit, `dim SEP value`. */
export function eventValues(h: Pick<WebHit, "name" | "pathname" | "hostname" | "props">): string[] {
  const out = [ALL_DIM + SEP + "", HOSTNAME_DIM + SEP + h.hostname];
  if (h.name === "pageview") out.push(PAGE_DIM + SEP + h.pathname);
  else out.push(GOAL_DIM + SEP + h.name);
  if (h.props) for (const k in h.props) out.push(PROP_PREFIX + k + SEP + h.props[k]!);
  return out;
}

const split = (dv: string) => {
  const i = dv.indexOf(SEP);
  return [dv.slice(0, i), dv.slice(i + 1)] as const;
};

/**
 * The web half of a flush (src/writer/flush.ts): visits kept in memory and in web_sessions, raw
 * hits into web_events, the pre-aggregates folded and upserted, drop counts. All of it inside
 * the flush transaction; if that rolls back, `reset()` forgets the memory so it is rebuilt from
 * the tables (which then hold exactly what was committed).
 */
export function createWebWriter(sqlite: Database) {
  const fold = new AggFold();
  const occ = new Occurrences(fold);
  const agg = prepareAgg(sqlite);
  const sessions = new Map<string, Session>();
  const loaded = new Set<string>();
  const dirty = new Set<Session>();
  let nextId = 0;
  let newestMs = 0;
  let prunedAt = 0;
  const insertEvent = sqlite.prepare(
    `INSERT INTO web_events (product_id, session_id, visitor_id, ts_ms, name, hostname, pathname, props, engaged_ms, scroll_depth, revenue_amount, revenue_currency)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const upsertSession = sqlite.prepare(
    `INSERT INTO web_sessions (id, product_id, visitor_id, persisted_id, start_ms, last_ms, last_active_ms, tail_engaged_ms, engaged_ms, pageviews, events, custom_events,
       entry_page, exit_page, hostname, source, referrer, utm_source, utm_medium, utm_campaign, utm_content, utm_term, click_ids, country, region, device, browser, os)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET persisted_id = excluded.persisted_id, last_ms = excluded.last_ms, last_active_ms = excluded.last_active_ms,
       tail_engaged_ms = excluded.tail_engaged_ms, engaged_ms = excluded.engaged_ms, pageviews = excluded.pageviews, events = excluded.events, custom_events = excluded.custom_events,
       exit_page = excluded.exit_page`,
  );
  const upsertDrop = sqlite.prepare(
    `INSERT INTO web_drops (product_id, reason, n, last_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (product_id, reason) DO UPDATE SET n = n + excluded.n, last_at = max(last_at, excluded.last_at)`,
  );
  const maxId = sqlite.prepare("SELECT coalesce(max(id), 0) AS n FROM web_sessions");

  function ensureLoaded(productId: string, tsMs: number) {
    if (loaded.has(productId)) return;
    if (nextId === 0) nextId = (maxId.get() as { n: number }).n + 1;
    occ.quiet = true;
    try {
      for (const s of loadProductState(sqlite, productId, tsMs, occ)) sessions.set(productId + SEP + s.visitorId, s);
    } finally {
      occ.quiet = false;
    }
    loaded.add(productId);
  }

  function startSession(productId: string, h: WebHit): Session {
    return {
      id: nextId++,
      productId,
      visitorId: h.visitorId,
      persistedId: h.persistedId,
      startMs: h.tsMs,
      lastMs: h.tsMs,
      lastActiveMs: h.tsMs,
      tailEngagedMs: 0,
      engagedMs: 0,
      pageviews: 0,
      events: 0,
      customEvents: 0,
      entryPage: h.pathname,
      exitPage: h.pathname,
      hostname: h.hostname,
      source: h.source,
      referrer: h.referrer,
      utmSource: h.utmSource,
      utmMedium: h.utmMedium,
      utmCampaign: h.utmCampaign,
      utmContent: h.utmContent,
      utmTerm: h.utmTerm,
      clickIds: h.clickIds,
      country: h.country,
      region: h.region,
      device: h.device,
      browser: h.browser,
      os: h.os,
      seen: new Set(),
      committed: null,
    };
  }

  function applyHit(productId: string, h: WebHit): boolean {
    const key = productId + SEP + h.visitorId;
    let s = sessions.get(key);
    if (s && h.tsMs - s.lastMs >= SESSION_TIMEOUT_MS) s = undefined;
    const engagement = h.name === "engagement";
    if (!s) {
      // An engagement ping belongs to a page view: with no visit to join, it has nothing to add.
      if (engagement) return false;
      s = startSession(productId, h);
      sessions.set(key, s);
    }
    if (h.tsMs > newestMs) newestMs = h.tsMs;
    insertEvent.run(
      productId, s.id, h.visitorId, h.tsMs, h.name, h.hostname, h.pathname,
      h.props ? JSON.stringify(h.props) : null, h.engagedMs, h.scrollDepth, h.revenue?.amount ?? null, h.revenue?.currency ?? null,
    );
    if (h.tsMs > s.lastMs) s.lastMs = h.tsMs;
    if (!s.persistedId && h.persistedId) s.persistedId = h.persistedId;
    dirty.add(s);
    if (engagement) {
      const e = h.engagedMs ?? 0;
      s.tailEngagedMs += e;
      s.engagedMs += e;
      return true;
    }
    s.lastActiveMs = Math.max(s.lastActiveMs, h.tsMs);
    s.tailEngagedMs = 0;
    if (h.name === "pageview") {
      s.pageviews++;
      s.exitPage = h.pathname;
    } else {
      s.customEvents++;
      if (h.interactive) s.events++;
    }
    const hour = Math.floor(h.tsMs / HOUR_MS);
    const slot = h.name === "pageview" ? PV : EV;
    for (const dv of eventValues(h)) {
      const [dim, value] = split(dv);
      fold.add(productId, dim, value, hour, slot, 1);
      occ.add(productId, s.visitorId, dim, value, hour);
      // The everything row counts visits where they start (the visit counters), not here.
      if (dim !== ALL_DIM && !s.seen.has(dv)) {
        s.seen.add(dv);
        fold.add(productId, dim, value, hour, VISITS, 1);
      }
    }
    return true;
  }

  /** Moves a visit's counters from what the aggregates hold to what it is now. */
  function settle(s: Session) {
    const next = snapshotOf(s);
    const prev = s.committed;
    const p = s.productId;
    if (prev) {
      for (const dv of prev.values) {
        const [dim, value] = split(dv);
        fold.add(p, dim, value, prev.hour, VISITS, -1);
        fold.add(p, dim, value, prev.hour, BOUNCES, -prev.bounce);
        fold.add(p, dim, value, prev.hour, DURATION, -prev.durationMs);
        fold.add(p, dim, value, prev.hour, VISIT_PV, -prev.pageviews);
        fold.add(p, dim, value, prev.hour, VISIT_EV, -prev.customEvents);
      }
    }
    for (const dv of next.values) {
      const [dim, value] = split(dv);
      fold.add(p, dim, value, next.hour, VISITS, 1);
      fold.add(p, dim, value, next.hour, BOUNCES, next.bounce);
      fold.add(p, dim, value, next.hour, DURATION, next.durationMs);
      fold.add(p, dim, value, next.hour, VISIT_PV, next.pageviews);
      fold.add(p, dim, value, next.hour, VISIT_EV, next.customEvents);
    }
    // Visitors under visit dimensions: the visitor-day met the value at the visit's start.
    const before = new Set(prev?.values ?? []);
    const after = new Set(next.values);
    for (const dv of before) {
      if (after.has(dv)) continue;
      const [dim, value] = split(dv);
      if (dim !== ALL_DIM) occ.remove(p, s.visitorId, dim, value, prev!.hour);
    }
    for (const dv of after) {
      if (before.has(dv)) continue;
      const [dim, value] = split(dv);
      if (dim !== ALL_DIM) occ.add(p, s.visitorId, dim, value, next.hour);
    }
    s.committed = next;
    upsertSession.run(
      s.id, p, s.visitorId, s.persistedId, s.startMs, s.lastMs, s.lastActiveMs, s.tailEngagedMs, s.engagedMs, s.pageviews, s.events, s.customEvents,
      s.entryPage, s.exitPage, s.hostname, s.source, s.referrer, s.utmSource, s.utmMedium, s.utmCampaign, s.utmContent, s.utmTerm, s.clickIds,
      s.country, s.region, s.device, s.browser, s.os,
    );
  }

  /** Forgets visits that ended and days no occurrence can reach any more. */
  function prune() {
    if (newestMs - prunedAt < 60_000) return;
    prunedAt = newestMs;
    let keepFrom = Math.floor(newestMs / HOUR_MS / DAY_HOURS);
    for (const [key, s] of sessions) {
      if (newestMs - s.lastMs >= SESSION_TIMEOUT_MS) sessions.delete(key);
      else keepFrom = Math.min(keepFrom, Math.floor(s.startMs / HOUR_MS / DAY_HOURS));
    }
    occ.prune(keepFrom);
  }

  return {
    apply(batch: WebBatch): WebResult {
      let accepted = 0;
      let pageviews = 0;
      for (const h of batch.hits) {
        ensureLoaded(batch.productId, h.tsMs);
        if (applyHit(batch.productId, h)) {
          accepted++;
          if (h.name === "pageview") pageviews++;
        }
      }
      for (const d of batch.drops) upsertDrop.run(batch.productId, d.reason, d.n, batch.now);
      return { accepted, pageviews };
    },
    /** At the end of the flush transaction, before COMMIT. */
    finish() {
      for (const s of dirty) settle(s);
      dirty.clear();
      fold.write(agg);
      prune();
    },
    /** The transaction rolled back: what memory holds is ahead of the tables. */
    reset() {
      fold.write({ hour: { run() {} }, day: { run() {} } } as never);
      sessions.clear();
      loaded.clear();
      dirty.clear();
      occ.clear();
      nextId = 0;
    },
    forgetProduct(productId: string) {
      for (const [key, s] of sessions) if (s.productId === productId) sessions.delete(key);
      occ.forgetProduct(productId);
      loaded.delete(productId);
    },
  };
}
export type WebWriter = ReturnType<typeof createWebWriter>;
