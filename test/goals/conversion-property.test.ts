import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import fc from "fast-check";
import { startTestServer, type TestServer } from "../helpers/server";
import { fixedClock } from "../../src/lib/clock";
import { createGoal, listGoals } from "../../src/goals/goals";
import { goalTimeToConvert } from "../../src/goals/time-to-convert";
import { resolveFunnelRange } from "../../src/funnels/date-range";
import { makeSite, CHROME_UA, FIREFOX_UA, IPHONE_UA } from "../web/support";
import { localParts, referenceQuery, sessionize, type SentHit } from "../web/reference";

/**
 * conversion_rate under a goal filter, by any dimension (DESIGN.md "Web analytics", Plausible's
 * definition): per row, the visitors who converted over the visitors of that row with the goal
 * (and event-property) filters removed. Random visits go through the real tracking endpoint;
 * the reference is computed from what was sent — a page goal (glob), an event goal with a
 * property filter, and a plain event name — in zones with and without whole-hour offsets; and
 * each goal's time to convert (visit start → goal), median and distribution, likewise.
 */
const UAS: Record<string, { browser: string; os: string; device: string }> = {
  [CHROME_UA]: { browser: "Chrome", os: "Mac", device: "Desktop" },
  [FIREFOX_UA]: { browser: "Firefox", os: "GNU/Linux", device: "Desktop" },
  [IPHONE_UA]: { browser: "Safari", os: "iOS", device: "Mobile" },
};
const REFERRERS: [string | null, string | null][] = [
  [null, null],
  ["https://www.google.com/search?q=x", "Google"],
  ["https://news.ycombinator.com/item?id=1", "Hacker News"],
];
const PATHS = ["/", "/pricing", "/thank-you", "/thank-you/again"];
const GOALS: Record<string, (h: SentHit) => boolean> = {
  Thanks: (h) => h.name === "pageview" && /^\/thank-you[^/]*$/.test(h.path),
  "Pro signup": (h) => h.name === "Signup" && h.props?.plan === "pro",
  Signup: (h) => h.name === "Signup",
};
const DIMS: string[][] = [[], ["visit:source"], ["visit:device"], ["visit:entry_page"], ["visit:utm_source"], ["visit:browser"], ["time:day"], ["visit:source", "time:day"]];
const round2 = (x: number) => Math.round(x * 100) / 100;
const display = (dim: string, v: string | null | undefined) => (v ? v : dim === "visit:source" ? "Direct / None" : dim === "visit:device" || dim === "visit:browser" ? "(not set)" : null);

let server: TestServer;
const clock = fixedClock(Date.UTC(2026, 4, 3, 20));
beforeAll(async () => {
  server = await startTestServer({ clock, env: { TRUSTED_PROXIES: "127.0.0.1" } });
});
afterAll(async () => {
  await server.stop();
});

const step = fc.record({
  visitor: fc.integer({ min: 0, max: 5 }),
  gap: fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.constantFrom(29 * 60_000, 31 * 60_000), fc.integer({ min: 0, max: 5 * 3_600_000 })),
  kind: fc.constantFrom("pageview", "pageview", "pageview", "Signup"),
  path: fc.constantFrom(...PATHS),
  referrer: fc.integer({ min: 0, max: REFERRERS.length - 1 }),
  utm: fc.constantFrom(null, "newsletter"),
  plan: fc.constantFrom(null, "pro", "free"),
});

describe("conversion_rate under a goal filter", () => {
  let run = 0;
  test(
    "equals converting visitors over the row's visitors without the goal, for every dimension, goal kind and zone",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom("UTC", "America/New_York", "Asia/Kolkata"), fc.array(step, { minLength: 1, maxLength: 30 }), async (zone, steps) => {
          run++;
          clock.set(Date.UTC(2026, 4, 3, 20) + run * 7 * 86_400_000);
          const site = await makeSite(server.deps, { domain: `cr${run}.example.com`, timezone: zone });
          createGoal(server.deps.db, site.product.id, { name: "Thanks", page: "/thank-you*" }, clock.now());
          createGoal(server.deps.db, site.product.id, { name: "Pro signup", event: "Signup", properties: { plan: "pro" } }, clock.now());
          const uas = Object.keys(UAS);
          const sent: SentHit[] = [];
          for (const s of steps) {
            clock.advance(s.gap);
            const ip = `10.1.0.${s.visitor + 1}`;
            const ua = uas[s.visitor % uas.length]!;
            const [ref] = REFERRERS[s.referrer]!;
            const url = `https://${site.domain}${s.path}${s.utm ? "?utm_source=" + s.utm : ""}`;
            const props = s.kind === "Signup" && s.plan ? { plan: s.plan } : null;
            const r = await server.fetch("/api/event", {
              method: "POST",
              headers: { "Content-Type": "text/plain", "User-Agent": ua, "X-Forwarded-For": ip },
              body: JSON.stringify({ n: s.kind, u: url, d: site.domain, r: ref, ...(props ? { p: props } : {}) }),
            });
            expect(r.status).toBe(202);
            sent.push({ ts: clock.now(), ip, ua, name: s.kind, path: s.path, host: site.domain, referrer: ref, utmSource: s.utm, utmMedium: null, props, e: null, sd: null });
          }
          await server.deps.queue.flushNow();
          const data = sessionize(sent, (h) => ({ source: h.utmSource ?? REFERRERS.find(([x]) => x === h.referrer)![1], referrer: null }), (ua) => UAS[ua]!);
          const a = localParts(zone, sent[0]!.ts).date;
          const b = localParts(zone, sent.at(-1)!.ts).date;
          const inRange = (ms: number) => {
            const d = localParts(zone, ms).date;
            return d >= a && d <= b;
          };
          const label = (ms: number) => localParts(zone, ms).date;
          // Time to convert (visit start → goal) from the one funnel engine, against brute force:
          // per visitor the fastest of its goal hits timed from their own visit's start (1 ms
          // before its first hit), for visits that started in the range, within a day.
          const range = resolveFunnelRange([a, b], zone, clock.now(), () => null);
          const plain = { id: "-", name: "Signup", page: null, event: "Signup", properties: null, currency: null, createdAt: 0 };
          for (const goal of [...listGoals(server.deps.db, site.product.id), plain]) {
            const fastest = new Map<string, number>();
            for (const { h, s } of data.stored) {
              if (!GOALS[goal.name]!(h) || !inRange(s.start)) continue;
              const t = h.ts - s.start + 1;
              if (t > 86_400_000) continue;
              fastest.set(s.vkey, Math.min(fastest.get(s.vkey) ?? Infinity, t));
            }
            const times = [...fastest.values()].sort((x, y) => x - y);
            const mid = times.length >> 1;
            const median = times.length ? Math.round((times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2) / 1000) : null;
            const got = goalTimeToConvert(server.deps.reader, site.product.id, goal, range);
            expect({ zone, goal: goal.name, visitors: got.visitors, median: got.median_seconds }).toEqual({ zone, goal: goal.name, visitors: times.length, median });
            for (const bucket of got.distribution)
              expect(bucket.visitors).toBe(times.filter((t) => t >= bucket.from_seconds * 1000 && (bucket.to_seconds === null || t < bucket.to_seconds * 1000)).length);
          }
          for (const dims of DIMS) {
            const totals = new Map(referenceQuery(data, { dims, inRange, label }).map((r) => [r.dimensions.join("|"), r.metrics.visitors as number]));
            for (const [goal, isGoal] of Object.entries(GOALS)) {
              // Naive: the visitor-days with a matching hit in range, under that hit's visit's values.
              const conv = new Map<string, { dims: string[]; who: Set<string> }>();
              for (const { h, s } of data.stored) {
                if (!isGoal(h) || !inRange(h.ts)) continue;
                const values = dims.map((d) => (d === "time:day" ? label(h.ts) : display(d, s.attrs[d])));
                if (values.includes(null)) continue;
                const key = values.join("|");
                if (!conv.has(key)) conv.set(key, { dims: values as string[], who: new Set() });
                conv.get(key)!.who.add(s.vkey);
              }
              const want = [...conv.values()]
                .map((c) => ({ dimensions: c.dims, metrics: [c.who.size, totals.get(c.dims.join("|")) ? round2((100 * c.who.size) / totals.get(c.dims.join("|"))!) : 0] }))
                .sort((x, y) => (x.dimensions.join() < y.dimensions.join() ? -1 : 1));
              const res = await server.fetch("/api/v2/query", {
                method: "POST",
                headers: { Authorization: `Bearer ${site.readKey}` },
                body: JSON.stringify({ site_id: site.domain, metrics: ["visitors", "conversion_rate"], date_range: [a, b], dimensions: dims, filters: [["is", "event:goal", [goal]]] }),
              });
              const json = (await res.json()) as { results: { dimensions: string[]; metrics: number[] }[] };
              expect(res.status).toBe(200);
              // Rows of visits that met the goal only outside the range have no conversions: CR 0.
              for (const r of json.results) if (r.metrics[0] === 0) expect(r.metrics[1]).toBe(0);
              const got = json.results.filter((r) => r.metrics[0]! > 0).sort((x, y) => (x.dimensions.join() < y.dimensions.join() ? -1 : 1));
              expect({ zone, dims, goal, rows: got }).toEqual({ zone, dims, goal, rows: want });
            }
          }
        }),
        { numRuns: Number(process.env.GOAL_PROPERTY_RUNS ?? 20) },
      );
    },
    600_000,
  );
});
