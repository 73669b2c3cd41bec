import type { Database } from "bun:sqlite";
import { bucketStarts, type Granularity } from "../lib/time/calendar";
import { isValidZone } from "../lib/time/zone";
import { eventTimes } from "../query/events/insight-reads";
import { invalid, parseWith, resolveFilter } from "../query/events/parse";
import { bucketLabel } from "../query/events/run";
import { SessionsSchema } from "./input";

/**
 * Sessions on product events (seed 004 §5, §7): an event with `context.session_id` belongs to
 * that session; otherwise (or with `by: "inactivity"` always) a user's — or visitor's — events
 * form one session until a gap longer than `inactivityMinutes` (30, as web analytics counts
 * them). A session's length runs from its first to its last event; one with a single event is a
 * bounce. Only the range's events count (a session crossing an edge is cut there); events with
 * no session, user or visitor id cannot be placed and are counted as `unattributed`.
 */
export type SessionStats = { sessions: number; averageSeconds: number | null; bounces: number; bounceRate: number | null };
export type Sessions = SessionStats & { unattributed: number; timezone: string; rows?: (SessionStats & { start: string })[] };

type Open = { start: number; last: number; events: number };

export function sessions(db: { $client: Database }, product: { id: string; timezone: string }, input: unknown, now: number): Sessions {
  const q = parseWith(SessionsSchema, input);
  const zone = q.timezone ?? product.timezone;
  if (!isValidZone(zone)) throw invalid("timezone", `unknown time zone "${zone}"`);
  const f = resolveFilter(q.filter, zone, now, "filter");
  const gap = (q.inactivityMinutes ?? 30) * 60_000;
  const useIds = (q.by ?? "auto") === "auto";
  const done: Open[] = [];
  const open = new Map<string, Open>();
  let unattributed = 0;
  for (const e of eventTimes(db.$client, product.id, f)) {
    const key = useIds && e.s !== null ? "s\u0000" + e.s : e.u !== null ? "u\u0000" + e.u : e.vi !== null ? "v\u0000" + e.vi : null;
    if (key === null) {
      unattributed++;
      continue;
    }
    const cur = open.get(key);
    const byId = key.startsWith("s\u0000");
    if (cur && (byId || e.t - cur.last <= gap)) {
      cur.last = e.t;
      cur.events++;
    } else {
      if (cur) done.push(cur);
      open.set(key, { start: e.t, last: e.t, events: 1 });
    }
  }
  done.push(...open.values());
  const out: Sessions = { ...stats(done), unattributed, timezone: zone };
  if (q.groupBy) {
    const unit = q.groupBy as Granularity;
    const starts = bucketStarts(zone, unit, f.from, f.to);
    const groups = starts.map(() => [] as Open[]);
    for (const s of done) {
      let lo = 0, hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= s.start) lo = mid;
        else hi = mid - 1;
      }
      groups[lo]?.push(s);
    }
    out.rows = starts.map((s, i) => ({ start: bucketLabel(zone, unit, s), ...stats(groups[i]!) }));
  }
  return out;
}

function stats(list: Open[]): SessionStats {
  const bounces = list.filter((s) => s.events === 1).length;
  const total = list.reduce((n, s) => n + (s.last - s.start), 0);
  return { sessions: list.length, averageSeconds: list.length ? total / list.length / 1000 : null, bounces, bounceRate: list.length ? bounces / list.length : null };
}
