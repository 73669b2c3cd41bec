import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import type { Deps } from "../../src/deps";
import { createUser } from "../../src/auth/users";
import { createProduct } from "../../src/products/products";
import { activeUsers } from "../../src/insights/active-users";
import { retention } from "../../src/insights/retention";
import { sessions } from "../../src/insights/sessions";
import type { EventRecord } from "../../src/writer/batch";
import { createTestDeps } from "../helpers/deps";
import { refBucket } from "./reference";
import { parseLocalDate, startOfLocalDate } from "../../src/lib/time/dates";

/**
 * Active users, retention cohorts and sessions against naive references over the same events
 * (stored through the write queue), in zones with DST. Dates step in plain UTC date arithmetic
 * and buckets come from Intl, apart from the engine's calendar.
 */
let deps: Deps;
let made: Awaited<ReturnType<typeof createTestDeps>>;
let ownerId: string;
beforeAll(async () => {
  made = await createTestDeps({ env: { LITEKPI_SYNC: "normal" } });
  deps = made.deps;
  ownerId = (await createUser(deps.db, { email: "owner@example.com", verified: true }, Date.now())).id;
});
afterAll(() => made.close());

const at = (s: string) => Date.parse(s);
const DAY = 86_400_000;
const ANCHORS: Record<string, number> = { UTC: at("2026-01-10T00:00:00Z"), "Europe/Berlin": at("2026-03-29T01:00:00Z"), "America/Santiago": at("2026-04-05T03:00:00Z"), "Asia/Kathmandu": at("2026-02-28T18:15:00Z") };
type Ev = { name: string; t: number; user: string | null; session: string | null };
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const addMonths = (date: string, n: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1)).toISOString().slice(0, 10);
};
let seq = 0;

async function store(zone: string, events: Ev[]) {
  const product = createProduct(deps.db, { ownerId, name: `ins ${++seq}`, timezone: zone }, Date.now());
  const records: EventRecord[] = events.map((e) => ({
    name: e.name, namespace: null, tsMs: e.t, id: null, userId: e.user, sessionId: e.session, visitorId: null, properties: null,
    context: e.user || e.session ? JSON.stringify({ ...(e.user ? { user_id: e.user } : {}), ...(e.session ? { session_id: e.session } : {}) }) : null,
  }));
  if (records.length) await deps.queue.submitEvents(product.id, records);
  return { id: product.id, timezone: zone };
}

const events = (span: number, maxLength = 60, grid = 600_000) =>
  fc.array(
    fc.record({
      name: fc.constantFrom("signup", "use"),
      dt: fc.oneof(fc.integer({ min: -span, max: span }), fc.integer({ min: -span / grid, max: span / grid }).map((k) => k * grid)),
      user: fc.option(fc.constantFrom("u1", "u2", "u3", "u4", "u5"), { nil: null, freq: 6 }),
      session: fc.option(fc.constantFrom("s1", "s2"), { nil: null, freq: 2 }),
    }),
    { maxLength },
  );
const range = (span: number) => fc.tuple(fc.integer({ min: -span, max: span }), fc.integer({ min: -span, max: span }));
const iso = (t: number) => new Date(t).toISOString();

test("active users: DAU, WAU, MAU and stickiness per day equal the reference", async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...Object.keys(ANCHORS)), events(45 * DAY), range(20 * DAY), fc.option(fc.constantFrom("signup", "use"), { nil: undefined }), async (zone, raw, [a, b], name) => {
      const anchor = ANCHORS[zone]!;
      const evs: Ev[] = raw.map((e) => ({ name: e.name, t: anchor + e.dt, user: e.user, session: e.session }));
      const product = await store(zone, evs);
      const from = anchor + Math.min(a, b), to = anchor + Math.max(a, b) + 1;
      const got = activeUsers(deps.reader, product, { filter: { timeRange: { start: iso(from), end: iso(to) }, ...(name ? { event: name } : {}) } }, Date.now());
      const usersOn = new Map<string, Set<string>>();
      for (const e of evs) {
        if (!e.user || (name && e.name !== name)) continue;
        const d = refBucket(zone, "day", e.t);
        if (!usersOn.has(d)) usersOn.set(d, new Set());
        usersOn.get(d)!.add(e.user);
      }
      const window = (date: string, w: number) => {
        const s = new Set<string>();
        for (let i = 0; i < w; i++) for (const u of usersOn.get(addDays(date, -i)) ?? []) s.add(u);
        return s.size;
      };
      const want = [];
      for (let d = refBucket(zone, "day", from); d <= refBucket(zone, "day", to - 1); d = addDays(d, 1)) {
        const dau = window(d, 1), mau = window(d, 30);
        want.push({ date: d, dau, wau: window(d, 7), mau, stickiness: mau ? dau / mau : null });
      }
      expect(got.days).toEqual(want);
    }),
    { numRuns: 60 },
  );
}, 120_000);

test("retention: cohorts by first start event, returns and churn per period equal the reference", async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...Object.keys(ANCHORS)), fc.constantFrom("day", "week", "month" as const), events(80 * DAY, 80), range(60 * DAY), async (zone, period, raw, [a, b]) => {
      const anchor = ANCHORS[zone]!;
      const evs: Ev[] = raw.map((e) => ({ name: e.name, t: anchor + e.dt, user: e.user, session: null }));
      const product = await store(zone, evs);
      const from = anchor + Math.min(a, b), to = anchor + Math.max(a, b) + 1;
      const got = retention(deps.reader, product, { startEvent: "signup", returnEvent: "use", period, filter: { timeRange: { start: iso(from), end: iso(to) } } }, Date.now());
      const step = (label: string, n: number) => (period === "day" ? addDays(label, n) : period === "week" ? addDays(label, 7 * n) : addMonths(label, n));
      const labels: string[] = [];
      for (let l = refBucket(zone, period, from); l <= refBucket(zone, period, to - 1); l = step(l, 1)) labels.push(l);
      const first = new Map<string, number>();
      for (const e of evs) if (e.user && e.name === "signup" && e.t < (first.get(e.user) ?? Infinity)) first.set(e.user, e.t);
      const want = [];
      for (let i = 0; i < labels.length; i++) {
        const members = [...first].filter(([, t]) => t >= from && t < to && refBucket(zone, period, t) === labels[i]).map(([u]) => u);
        if (!members.length) continue;
        const activeIn = (u: string, k: number) => evs.some((e) => e.user === u && e.name === "use" && e.t < to && refBucket(zone, period, e.t) === labels[i + k]);
        const retained = [members.length], churned = [0];
        for (let k = 1; i + k < labels.length; k++) {
          retained.push(members.filter((u) => activeIn(u, k)).length);
          churned.push(members.filter((u) => !activeIn(u, k) && (k === 1 || activeIn(u, k - 1))).length);
        }
        want.push({ cohort: labels[i]!, users: members.length, retained, rates: retained.map((r) => r / members.length), churned });
      }
      expect(got.cohorts).toEqual(want);
    }),
    { numRuns: 60 },
  );
}, 120_000);

test("retention of any event over whole local days (read from the user-day rows) equals the reference and the raw-event path", async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...Object.keys(ANCHORS)), fc.constantFrom("day", "week", "month" as const), events(80 * DAY, 80), fc.tuple(fc.integer({ min: -60, max: 60 }), fc.integer({ min: -60, max: 60 })), async (zone, period, raw, [a, b]) => {
      const anchor = ANCHORS[zone]!;
      const evs: Ev[] = raw.map((e) => ({ name: e.name, t: anchor + e.dt, user: e.user, session: null }));
      const product = await store(zone, evs);
      // Local midnights: the range the user-day rows answer (a day of the anchor's date, ± whole days).
      const day0 = refBucket(zone, "day", anchor);
      const from = startOfLocalDate(parseLocalDate(addDays(day0, Math.min(a, b)))!, zone);
      const to = startOfLocalDate(parseLocalDate(addDays(day0, Math.max(a, b) + 1))!, zone);
      const range = { timeRange: { start: iso(from), end: iso(to) } };
      const got = retention(deps.reader, product, { period, filter: range }, Date.now());
      // Naming every event forces the raw-event path: the same question, the other way.
      const scanned = retention(deps.reader, product, { period, startEvent: ["signup", "use"], returnEvent: ["signup", "use"], filter: range }, Date.now());
      expect(got).toEqual(scanned);
      const step = (label: string, n: number) => (period === "day" ? addDays(label, n) : period === "week" ? addDays(label, 7 * n) : addMonths(label, n));
      const labels: string[] = [];
      for (let l = refBucket(zone, period, from); l <= refBucket(zone, period, to - 1); l = step(l, 1)) labels.push(l);
      const first = new Map<string, number>();
      for (const e of evs) if (e.user && e.t < (first.get(e.user) ?? Infinity)) first.set(e.user, e.t);
      const cohorts = labels.flatMap((label, i) => {
        const members = [...first].filter(([, t]) => t >= from && t < to && refBucket(zone, period, t) === label).map(([u]) => u);
        if (!members.length) return [];
        const activeIn = (u: string, k: number) => evs.some((e) => e.user === u && e.t < to && refBucket(zone, period, e.t) === labels[i + k]);
        const retained = [members.length];
        for (let k = 1; i + k < labels.length; k++) retained.push(members.filter((u) => activeIn(u, k)).length);
        return [{ cohort: label, users: members.length, retained }];
      });
      expect(got.cohorts.map(({ cohort, users, retained }) => ({ cohort, users, retained }))).toEqual(cohorts);
    }),
    { numRuns: 60 },
  );
}, 120_000);

test("sessions: count, average length and bounces by session_id or 30-minute inactivity equal the reference", async () => {
  await fc.assert(
    // Times on a 15-minute grid: gaps of exactly 30 minutes (still one session) come up often.
    fc.asyncProperty(events(2 * 3_600_000, 40, 900_000), range(3 * 3_600_000), fc.constantFrom("auto", "inactivity" as const), async (raw, [a, b], by) => {
      const anchor = ANCHORS.UTC!;
      const evs: Ev[] = raw.map((e) => ({ name: e.name, t: anchor + e.dt, user: e.user, session: e.session }));
      const product = await store("UTC", evs);
      const from = anchor + Math.min(a, b), to = anchor + Math.max(a, b) + 1;
      const got = sessions(deps.reader, product, { filter: { timeRange: { start: iso(from), end: iso(to) } }, by }, Date.now());
      const inRange = evs.map((e, i) => ({ ...e, i })).filter((e) => e.t >= from && e.t < to).sort((x, y) => x.t - y.t || x.i - y.i);
      const list: { start: number; end: number; n: number }[] = [];
      const last = new Map<string, { start: number; end: number; n: number }>();
      let unattributed = 0;
      for (const e of inRange) {
        const key = by === "auto" && e.session ? `s:${e.session}` : e.user ? `u:${e.user}` : null;
        if (!key) {
          unattributed++;
          continue;
        }
        const s = last.get(key);
        if (s && (key.startsWith("s:") || e.t - s.end <= 30 * 60_000)) (s.end = e.t), s.n++;
        else {
          const made = { start: e.t, end: e.t, n: 1 };
          list.push(made);
          last.set(key, made);
        }
      }
      const bounces = list.filter((s) => s.n === 1).length;
      expect(got.sessions).toBe(list.length);
      expect(got.bounces).toBe(bounces);
      expect(got.unattributed).toBe(unattributed);
      const avg = list.length ? list.reduce((n, s) => n + s.end - s.start, 0) / list.length / 1000 : null;
      if (avg === null) expect(got.averageSeconds).toBeNull();
      else expect(Math.abs(got.averageSeconds! - avg)).toBeLessThanOrEqual(1e-9 * Math.max(1, avg));
    }),
    { numRuns: 80 },
  );
}, 120_000);
