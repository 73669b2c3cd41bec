/**
 * A naive reference for the web metrics, computed from the hits a test sent (not from the
 * database): visitors by (UTC day, IP, User-Agent) as the daily salt makes them, visits by the
 * 30-minute rule, then every metric by its README definition, with plain loops and sets.
 */
export type SentHit = {
  ts: number;
  ip: string;
  ua: string;
  name: string; // pageview | engagement | goal name
  path: string;
  host: string;
  referrer: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  props: Record<string, string> | null;
  e: number | null;
  sd: number | null;
};

export type UaFacts = { browser: string; os: string; device: string };
export const SESSION_MS = 30 * 60_000;
const DAY = 86_400_000;

type RefSession = {
  id: number;
  vkey: string;
  start: number;
  last: number;
  lastActive: number;
  tail: number;
  engaged: number;
  pageviews: number;
  customs: number;
  entry: string;
  exit: string;
  attrs: Record<string, string | null>;
  hits: SentHit[];
};

export function sessionize(hits: SentHit[], sourceOf: (h: SentHit) => { source: string | null; referrer: string | null }, uaFacts: (ua: string) => UaFacts) {
  const open = new Map<string, RefSession>();
  const sessions: RefSession[] = [];
  const stored: { h: SentHit; s: RefSession }[] = [];
  for (const h of [...hits].sort((a, b) => a.ts - b.ts)) {
    const vkey = Math.floor(h.ts / DAY) + "|" + h.ip + "|" + h.ua;
    let s = open.get(vkey);
    if (s && h.ts - s.last >= SESSION_MS) s = undefined;
    if (!s) {
      if (h.name === "engagement") continue;
      const src = sourceOf(h);
      const ua = uaFacts(h.ua);
      s = {
        id: sessions.length, vkey, start: h.ts, last: h.ts, lastActive: h.ts, tail: 0, engaged: 0, pageviews: 0, customs: 0, entry: h.path, exit: h.path,
        attrs: {
          "visit:source": src.source, "visit:referrer": src.referrer, "visit:utm_source": h.utmSource, "visit:utm_medium": h.utmMedium,
          "visit:utm_campaign": null, "visit:utm_content": null, "visit:utm_term": null, "visit:country": null, "visit:country_name": null, "visit:region": null,
          "visit:device": ua.device, "visit:browser": ua.browser, "visit:os": ua.os, "visit:entry_page": h.path,
        },
        hits: [],
      };
      sessions.push(s);
      open.set(vkey, s);
    }
    s.hits.push(h);
    stored.push({ h, s });
    s.last = Math.max(s.last, h.ts);
    if (h.name === "engagement") {
      s.tail += h.e ?? 0;
      s.engaged += h.e ?? 0;
    } else {
      s.lastActive = h.ts;
      s.tail = 0;
      if (h.name === "pageview") {
        s.pageviews++;
        s.exit = h.path;
      } else s.customs++;
    }
  }
  for (const s of sessions) s.attrs["visit:exit_page"] = s.exit;
  return { sessions, stored };
}

export type RefRow = { dimensions: string[]; metrics: Record<string, number | null> };

const display = (dim: string, v: string | null): string | null => {
  if (v !== null && v !== "") return v;
  if (dim === "visit:source" || dim === "visit:referrer") return "Direct / None";
  if (dim === "visit:device" || dim === "visit:browser" || dim === "visit:os") return "(not set)";
  return null;
};

/**
 * The rows of a query with at most one non-time dimension and at most one time dimension
 * ("time:day" / "time:hour", labelled by `label`), over the hits whose instant `inRange` accepts.
 */
export function referenceQuery(
  data: ReturnType<typeof sessionize>,
  q: { dims: string[]; inRange: (ms: number) => boolean; label: (ms: number) => string },
): RefRow[] {
  const timeDim = q.dims.find((d) => d.startsWith("time"));
  const dim = q.dims.find((d) => !d.startsWith("time")) ?? null;
  const eventDim = dim !== null && dim.startsWith("event:");
  const rows = new Map<string, { dims: string[]; ve: Set<string>; vs: Set<string>; visits: number; sess: number; bounces: number; dur: number; pv: number; cu: number; vpv: number; vcu: number; sd: Map<string, number>; engMs: number; eng: Set<string> }>();
  const row = (value: string, at: number) => {
    const dims: string[] = [];
    for (const d of q.dims) dims.push(d.startsWith("time") ? q.label(at) : value);
    const key = dims.join("\u0001");
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { dims, ve: new Set(), vs: new Set(), visits: 0, sess: 0, bounces: 0, dur: 0, pv: 0, cu: 0, vpv: 0, vcu: 0, sd: new Map(), engMs: 0, eng: new Set() }));
    return r;
  };
  const eventValue = (h: SentHit): string | null | undefined => {
    if (dim === "event:page") return h.name === "pageview" ? h.path : undefined;
    if (dim === "event:hostname") return h.host;
    if (dim === "event:goal") return h.name !== "pageview" && h.name !== "engagement" ? h.name : undefined;
    if (dim?.startsWith("event:props:")) return h.props?.[dim.slice(12)] ?? undefined;
    return "";
  };
  for (const s of data.sessions) {
    if (!q.inRange(s.start)) continue;
    let value: string | null;
    if (dim === null) value = "";
    else if (dim === "event:page") value = s.entry;
    else if (eventDim) continue;
    else value = display(dim, s.attrs[dim] ?? null);
    if (value === null) continue;
    const r = row(value, s.start);
    r.sess++;
    r.bounces += s.pageviews <= 1 && s.customs === 0 && s.engaged < 10_000 ? 1 : 0;
    r.dur += s.lastActive - s.start + s.tail;
    if (!eventDim) {
      r.visits++;
      r.vpv += s.pageviews;
      r.vcu += s.customs;
      r.vs.add(Math.floor(s.start / DAY) + "|" + s.vkey);
    }
  }
  const met = new Set<string>();
  for (const { h, s } of data.stored) {
    if (h.name === "engagement") {
      if (dim !== "event:page" || !q.inRange(h.ts)) continue;
      const r = row(h.path, h.ts);
      const vd = Math.floor(h.ts / DAY) + "|" + s.vkey;
      if (h.e) {
        r.engMs += h.e;
        r.eng.add(vd);
      }
      if (h.sd !== null) r.sd.set(vd + h.path, Math.max(r.sd.get(vd + h.path) ?? 0, h.sd));
      continue;
    }
    const v = eventDim ? eventValue(h) : "";
    if (v === undefined || v === null) continue;
    if (eventDim) {
      const key = s.id + "|" + v;
      if (!met.has(key)) {
        met.add(key);
        if (q.inRange(h.ts)) row(v, h.ts).visits++;
      }
    }
    if (!q.inRange(h.ts)) continue;
    if (dim !== null && !eventDim) {
      // visit dimensions count the hits of their visits (below, from the visit counters)
      continue;
    }
    const r = row(v, h.ts);
    r.ve.add(Math.floor(h.ts / DAY) + "|" + s.vkey);
    if (h.name === "pageview") r.pv++;
    else r.cu++;
  }
  const out: RefRow[] = [];
  const visitScoped = dim !== null && !eventDim;
  for (const r of rows.values()) {
    const visitors = visitScoped ? r.vs.size : r.ve.size;
    const pageviews = visitScoped ? r.vpv : r.pv;
    const customs = visitScoped ? r.vcu : r.cu;
    const visits = eventDim ? r.visits : r.sess;
    if (visitors === 0 && visits === 0 && pageviews === 0 && customs === 0) continue;
    let sdSum = 0;
    for (const x of r.sd.values()) sdSum += x;
    out.push({
      dimensions: r.dims,
      metrics: {
        visitors,
        visits,
        pageviews,
        events: pageviews + customs,
        bounce_rate: r.sess ? Math.round((100 * r.bounces) / r.sess) : 0,
        visit_duration: r.sess ? Math.round(r.dur / 1000 / r.sess) : 0,
        views_per_visit: r.visits ? Math.round((r.vpv / r.visits) * 100) / 100 : 0,
        scroll_depth: r.sd.size ? Math.round(sdSum / r.sd.size) : null,
        time_on_page: r.eng.size ? Math.round(r.engMs / 1000 / r.eng.size) : null,
      },
    });
  }
  // An aggregate (no dimensions) always answers one row, zeros when nothing happened.
  if (q.dims.length === 0 && out.length === 0)
    out.push({ dimensions: [], metrics: { visitors: 0, visits: 0, pageviews: 0, events: 0, bounce_rate: 0, visit_duration: 0, views_per_visit: 0, scroll_depth: null, time_on_page: null } });
  return out;
}

/** The zone's calendar date and hour of an instant, from Intl (independent of the server's calendar code). */
export function localParts(zone: string, ms: number): { date: string; hour: string } {
  const f = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23" });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, hour: `${p.year}-${p.month}-${p.day} ${p.hour}:00:00` };
}
