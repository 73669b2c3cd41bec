import type { Database } from "bun:sqlite";
import { bucketStarts } from "../lib/time/calendar";
import { localDateAt } from "../lib/time/dates";
import { isValidZone } from "../lib/time/zone";
import { DayCalendar } from "../query/events/days";
import { userBuckets } from "../query/events/insight-reads";
import { invalid, parseWith, resolveFilter } from "../query/events/parse";
import { ActiveUsersSchema } from "./input";

/**
 * Active users (seed 004 §7): for each local day the range touches, DAU (distinct users that
 * day), WAU (the 7 days ending that day), MAU (the 30 days ending that day) and stickiness
 * (DAU / MAU). Whole days, and the windows reach back before the range, so the first day's MAU
 * is as exact as the last one's. Users are `context.user_id`.
 */
export type ActiveUsersDay = { date: string; dau: number; wau: number; mau: number; stickiness: number | null };
export type ActiveUsers = { from: string; to: string; timezone: string; days: ActiveUsersDay[] };

const WINDOWS = [1, 7, 30] as const;

export function activeUsers(db: { $client: Database }, product: { id: string; timezone: string }, input: unknown, now: number): ActiveUsers {
  const q = parseWith(ActiveUsersSchema, input);
  const zone = q.timezone ?? product.timezone;
  if (!isValidZone(zone)) throw invalid("timezone", `unknown time zone "${zone}"`);
  const f = resolveFilter(q.filter, zone, now, "filter");
  const cal = new DayCalendar();
  if (f.from >= f.to) return { from: localDateAt(f.from, zone), to: localDateAt(f.to, zone), timezone: zone, days: [] };
  const first = cal.dayOf(zone, f.from);
  const last = cal.dayOf(zone, f.to - 1);
  const extFrom = cal.start(zone, first - 29);
  const extTo = cal.start(zone, last + 1);
  const starts = bucketStarts(zone, "day", extFrom, extTo);
  const dayOfIndex = starts.map((s) => cal.dayOf(zone, s));
  const pairs = userBuckets(db.$client, product.id, { ...f, from: extFrom, to: extTo }, starts);
  // Per user, the days they were active; each day covers the window days [d, d + w − 1] (merged), as +1/−1 marks.
  const byUser = new Map<string, number[]>();
  for (const p of pairs) {
    let list = byUser.get(p.u);
    if (!list) byUser.set(p.u, (list = []));
    list.push(dayOfIndex[p.b]!);
  }
  const span = last - first + 1;
  const counts = WINDOWS.map(() => new Int32Array(span + 1));
  for (const list of byUser.values()) {
    list.sort((a, b) => a - b);
    WINDOWS.forEach((w, k) => {
      let openFrom = NaN, openTo = NaN;
      const close = () => {
        const a = Math.max(openFrom, first) - first;
        const b = Math.min(openTo, last) - first;
        if (a <= b) counts[k]![a]!++, counts[k]![b + 1]!--;
      };
      for (const d of list) {
        if (d <= openTo + 1) openTo = Math.max(openTo, d + w - 1);
        else {
          if (!Number.isNaN(openFrom)) close();
          (openFrom = d), (openTo = d + w - 1);
        }
      }
      if (!Number.isNaN(openFrom)) close();
    });
  }
  const running = WINDOWS.map(() => 0);
  const days: ActiveUsersDay[] = [];
  for (let i = 0; i < span; i++) {
    const [dau, wau, mau] = WINDOWS.map((_, k) => (running[k]! += counts[k]![i]!)) as [number, number, number];
    days.push({ date: localDateAt(cal.start(zone, first + i), zone), dau, wau, mau, stickiness: mau ? dau / mau : null });
  }
  return { from: days[0]!.date, to: days[days.length - 1]!.date, timezone: zone, days };
}
