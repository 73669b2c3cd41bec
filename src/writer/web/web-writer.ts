import type { Database } from "bun:sqlite";
import type { WebBatch, WebHit, WebResult } from "../batch";
import { AggFold, BOUNCES, DURATION, EV, Occurrences, PV, VISIT_EV, VISIT_PV, VISITS } from "./fold";
import { ALL_DIM, DAY_HOURS, ENGAGED_NOT_BOUNCE_MS, GOAL_DIM, HOSTNAME_DIM, HOUR_MS, PAGE_DIM, PROP_PREFIX, SEP, SESSION_TIMEOUT_MS, VISIT_DIMS } from "./dims";
import { loadProductState } from "./rebuild";
import type { WebEventRow } from "./event-rows";
import type { WebSink } from "../../storage/web-plane";

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
/** The tracker's identify call, stored as a hit of this name (src/web/tracker/t.js). */
export const IDENTIFY = "identify";

export type Snapshot = { hour: number; values: string[]; bounce: number; durationMs: number; pageviews: number; customEvents: number };

export const isBounce = (s: Pick<Session, "pageviews" | "events" | "engagedMs">) => (s.pageviews <= 1 && s.events === 0 && s.engagedMs < ENGAGED_NOT_BOUNCE_MS ? 1 : 0);
export const durationOf = (s: Pick<Session, "startMs" | "lastActiveMs" | "tailEngagedMs">) => s.lastActiveMs - s.startMs + s.tailEngagedMs;

/** The everything row, as a `dim SEP value` key. */
export const ALL_DV = ALL_DIM + SEP + "";

/** `prev` (the visit's last snapshot) lends its key strings where they did not change. */
export function snapshotOf(s: Session, prev: Snapshot | null = null): Snapshot {
  const values = [ALL_DV];
  for (let i = 0; i < VISIT_DIMS.length; i++) {
    const [dim, field] = VISIT_DIMS[i]!;
    const v = s[field] ?? "";
    const old = prev?.values[i + 1];
    values.push(old !== undefined && old.length === dim.length + 1 + v.length && old.endsWith(v) ? old : dim + SEP + v);
  }
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


/**
 * The web half of a flush (src/writer/flush.ts): visits kept in memory, the pre-aggregates folded
 * in memory, drop counts (control plane, SQLite); raw hits, the visits touched and the folded
 * deltas go to the data plane (`sink`, src/storage/web-plane.ts) in one call at the end of the
 * flush. If the flush rolls back, `reset()` forgets the memory so it is rebuilt from the tables
 * (which then hold exactly what was committed).
 */
export function createWebWriter(sqlite: Database, sink: WebSink) {
  const fold = new AggFold();
  const occ = new Occurrences(fold);
  const sessions = new Map<string, Session>();
  const loaded = new Set<string>();
  const dirty = new Set<Session>();
  let nextId = 0;
  let newestMs = 0;
  let prunedAt = 0;
  // This flush's raw hits, in arrival order; settled visits wait in `settled` for the sink.
  let events: WebEventRow[] = [];
  let settled: Session[] = [];
  const upsertDrop = sqlite.prepare(
    `INSERT INTO web_drops (product_id, reason, n, last_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (product_id, reason) DO UPDATE SET n = n + excluded.n, last_at = max(last_at, excluded.last_at)`,
  );

  function ensureLoaded(productId: string, tsMs: number) {
    if (loaded.has(productId)) return;
    if (nextId === 0) nextId = sink.maxSessionId() + 1;
    occ.quiet = true;
    try {
      for (const s of loadProductState(sink, productId, tsMs, occ)) sessions.set(productId + SEP + s.visitorId, s);
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

  // Who hears of each stored hit during apply (the product webhooks, src/webhooks/writer-hooks.ts).
  let onHit: HitListener | undefined;

  function applyHit(productId: string, h: WebHit): boolean {
    if (h.name === IDENTIFY) return applyIdentify(productId, h);
    const key = productId + SEP + h.visitorId;
    let s = sessions.get(key);
    if (s && h.tsMs - s.lastMs >= SESSION_TIMEOUT_MS) s = undefined;
    const engagement = h.name === "engagement";
    let started = false;
    if (!s) {
      // An engagement ping belongs to a page view: with no visit to join, it has nothing to add.
      if (engagement) return false;
      s = startSession(productId, h);
      sessions.set(key, s);
      started = true;
    }
    if (h.tsMs > newestMs) newestMs = h.tsMs;
    events.push([
      productId, s.id, h.visitorId, h.tsMs, h.name, h.hostname, h.pathname,
      h.props ? JSON.stringify(h.props) : null, h.engagedMs, h.scrollDepth, h.revenue?.amount ?? null, h.revenue?.currency ?? null,
    ]);
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
    onHit?.(h, s, started);
    const hour = Math.floor(h.tsMs / HOUR_MS);
    const slot = h.name === "pageview" ? PV : EV;
    for (const dv of eventValues(h)) {
      fold.add(productId, dv, hour, slot, 1);
      occ.add(productId, s.visitorId, dv, hour);
      // The everything row counts visits where they start (the visit counters), not here.
      if (dv !== ALL_DV && !s.seen.has(dv)) {
        s.seen.add(dv);
        fold.add(productId, dv, hour, VISITS, 1);
      }
    }
    return true;
  }

  /**
   * `litekpi.identify(idOrEmail)` arrives as the hit "identify" with the prop `id`: it ties the
   * visitor to a person for revenue attribution (src/revenue/attribution.ts) and is kept as a raw
   * row of the visit, but it is no goal, no custom event and no interaction: no counter moves.
   */
  function applyIdentify(productId: string, h: WebHit): boolean {
    const s = sessions.get(productId + SEP + h.visitorId);
    if (!s || h.tsMs - s.lastMs >= SESSION_TIMEOUT_MS) return false;
    events.push([productId, s.id, h.visitorId, h.tsMs, h.name, h.hostname, h.pathname, h.props ? JSON.stringify(h.props) : null, null, null, null, null]);
    return true;
  }

  /**
   * Moves a visit's counters from what the aggregates hold to what it is now: the differences
   * under the values it keeps, all of it under a value it left (the old exit page) or gained.
   */
  function settle(s: Session) {
    const next = snapshotOf(s, s.committed);
    const prev = s.committed;
    const p = s.productId;
    const h = next.hour;
    const put = (dv: string, sign: number, x: Snapshot) => {
      fold.add(p, dv, h, VISITS, sign);
      fold.add(p, dv, h, BOUNCES, sign * x.bounce);
      fold.add(p, dv, h, DURATION, sign * x.durationMs);
      fold.add(p, dv, h, VISIT_PV, sign * x.pageviews);
      fold.add(p, dv, h, VISIT_EV, sign * x.customEvents);
      // Visitors under visit dimensions: the visitor-day met the value at the visit's start.
      if (dv !== ALL_DV) {
        if (sign > 0) occ.add(p, s.visitorId, dv, h);
        else occ.remove(p, s.visitorId, dv, h);
      }
    };
    if (!prev) for (const dv of next.values) put(dv, 1, next);
    else {
      const db = next.bounce - prev.bounce;
      const dd = next.durationMs - prev.durationMs;
      const dp = next.pageviews - prev.pageviews;
      const de = next.customEvents - prev.customEvents;
      for (let i = 0; i < next.values.length; i++) {
        const dv = next.values[i]!;
        const old = prev.values[i]!;
        if (dv === old) {
          fold.add(p, dv, h, BOUNCES, db);
          fold.add(p, dv, h, DURATION, dd);
          fold.add(p, dv, h, VISIT_PV, dp);
          fold.add(p, dv, h, VISIT_EV, de);
        } else {
          put(old, -1, prev);
          put(dv, 1, next);
        }
      }
    }
    s.committed = next;
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
    apply(batch: WebBatch, listener?: HitListener): WebResult {
      onHit = listener;
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
      onHit = undefined;
      return { accepted, pageviews };
    },
    /** After the flush applied its batches: the visits' counters settled into the fold. */
    finish() {
      for (const s of dirty) {
        settle(s);
        settled.push(s);
      }
      dirty.clear();
      prune();
    },
    /** Right before COMMIT: what the flush changed into the data plane, in one call (none for a flush without hits). */
    write() {
      if (events.length || settled.length || !fold.empty) sink.write({ events, sessions: settled, fold });
      events = [];
      settled = [];
      fold.clear();
    },
    /** Whether deferred aggregate changes may be waiting for `foldJournal`. */
    foldPending: () => sink.foldPending(),
    /** Outside any transaction: the deferred changes into the aggregates (SQLite's journal, see journal.ts). */
    foldJournal: () => sink.fold(),
    /** The transaction rolled back: what memory holds is ahead of the tables. */
    reset() {
      events = [];
      settled = [];
      fold.clear();
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
/** A stored page view or custom event, its visit, and whether it opened that visit. */
export type HitListener = (h: WebHit, visit: Session, started: boolean) => void;
