import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import fc from "fast-check";
import { startTestServer, type TestServer } from "../helpers/server";
import { fixedClock } from "../../src/lib/clock";
import { makeSite, CHROME_UA, FIREFOX_UA, IPHONE_UA } from "./support";
import { localParts, referenceQuery, sessionize, type SentHit } from "./reference";

/**
 * Random visits sent through the real endpoints with a fixed clock, then every metric × dimension
 * of /api/v2/query against a reference computed from the sent hits: across the 30-minute
 * boundary, UTC midnight (the daily salt: a new visitor), DST (New York, 8 March 2026), a zone
 * with a :30 offset (Kolkata: the raw path), and the raw path again through match-all filters.
 */
const UAS: Record<string, { browser: string; os: string; device: string }> = {
  [CHROME_UA]: { browser: "Chrome", os: "Mac", device: "Desktop" },
  [FIREFOX_UA]: { browser: "Firefox", os: "GNU/Linux", device: "Desktop" },
  [IPHONE_UA]: { browser: "Safari", os: "iOS", device: "Mobile" },
};
const REFERRERS: [string | null, string | null, string | null][] = [
  // sent referrer, expected source, expected visit:referrer
  [null, null, null],
  ["https://www.google.com/search?q=x", "Google", "google.com/search"],
  ["https://news.ycombinator.com/item?id=1", "Hacker News", "news.ycombinator.com/item"],
  ["https://blog.other.org/post", "blog.other.org", "blog.other.org/post"],
  ["https://www.example.com/self", null, null], // a self-referral is direct
];
const PATHS = ["/", "/pricing", "/blog/a"];
const DOMAIN = "example.com";

let server: TestServer;
const clock = fixedClock(Date.UTC(2026, 2, 7, 18));
beforeAll(async () => {
  server = await startTestServer({ clock, env: { TRUSTED_PROXIES: "127.0.0.1" } });
});
afterAll(async () => {
  await server.stop();
});

const step = fc.record({
  visitor: fc.integer({ min: 0, max: 4 }),
  gap: fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.constantFrom(29 * 60_000, 30 * 60_000, 31 * 60_000), fc.integer({ min: 0, max: 4 * 3_600_000 })),
  kind: fc.constantFrom("pageview", "pageview", "pageview", "engagement", "Signup"),
  path: fc.constantFrom(...PATHS),
  referrer: fc.integer({ min: 0, max: REFERRERS.length - 1 }),
  utm: fc.constantFrom(null, "newsletter"),
  plan: fc.constantFrom(null, "pro", "free"),
  e: fc.constantFrom(0, 4_000, 12_000),
  sd: fc.integer({ min: 0, max: 100 }),
});

async function post(path: string, body: unknown, headers: Record<string, string>) {
  const r = await server.fetch(path, { method: "POST", headers: { "Content-Type": "text/plain", ...headers }, body: JSON.stringify(body) });
  expect(r.status).toBe(202);
}

async function query(readKey: string, siteId: string, body: Record<string, unknown>) {
  const r = await server.fetch("/api/v2/query", { method: "POST", headers: { Authorization: `Bearer ${readKey}` }, body: JSON.stringify({ site_id: siteId, ...body }) });
  const json = (await r.json()) as { results: { dimensions: string[]; metrics: (number | null)[] }[] };
  if (r.status !== 200) throw new Error(JSON.stringify(json));
  return json.results;
}

const SESSION_METRICS = ["visitors", "visits", "pageviews", "events", "bounce_rate", "visit_duration"];
const EVENT_METRICS = ["visitors", "pageviews", "events"];

describe("web metrics equal a reference computed from the sent hits", () => {
  let run = 0;
  test(
    "every metric and dimension, each zone, aggregates and raw rows",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"), fc.array(step, { minLength: 1, maxLength: 40 }), async (zone, steps) => {
          run++;
          clock.set(Date.UTC(2026, 2, 7, 18) + run * 7 * 86_400_000);
          const site = await makeSite(server.deps, { domain: `${run}.${DOMAIN}`, timezone: zone });
          const domain = site.domain;
          const uas = Object.keys(UAS);
          const sent: SentHit[] = [];
          for (const s of steps) {
            clock.advance(s.gap);
            const ip = `10.0.0.${s.visitor + 1}`;
            const ua = uas[s.visitor % uas.length]!;
            const [ref] = REFERRERS[s.referrer]!;
            const url = `https://${s.visitor % 2 ? "www." : ""}${domain}${s.path}${s.utm ? "?utm_source=" + s.utm + "&utm_medium=email" : ""}`;
            const props = s.plan ? { plan: s.plan } : null;
            const body = s.kind === "engagement" ? { n: "engagement", u: url, d: domain, e: s.e, sd: s.sd } : { n: s.kind, u: url, d: domain, r: ref ? ref.replace("example.com", domain) : null, ...(props ? { p: props } : {}) };
            await post("/api/event", body, { "User-Agent": ua, "X-Forwarded-For": ip });
            sent.push({
              ts: clock.now(), ip, ua, name: s.kind, path: s.path, host: domain, referrer: ref, utmSource: s.utm, utmMedium: s.utm ? "email" : null,
              props: s.kind === "engagement" ? null : props, e: s.kind === "engagement" ? s.e : null, sd: s.kind === "engagement" ? s.sd : null,
            });
          }
          await server.deps.queue.flushNow();
          const data = sessionize(
            sent,
            (h) => {
              const r = REFERRERS.find(([x]) => x === h.referrer)!;
              return { source: h.utmSource ?? r[1], referrer: r[2] };
            },
            (ua) => UAS[ua]!,
          );
          const first = localParts(zone, sent[0]!.ts).date;
          const last = localParts(zone, sent[sent.length - 1]!.ts).date;
          const ranges: [string, string][] = [[first, last]];
          if (first !== last) ranges.push([last, last]);
          for (const [a, b] of ranges) {
            const inRange = (ms: number) => {
              const d = localParts(zone, ms).date;
              return d >= a && d <= b;
            };
            const check = async (dims: string[], metrics: string[], filters: unknown[] = []) => {
              const label = dims.includes("time:hour") ? (ms: number) => localParts(zone, ms).hour : (ms: number) => localParts(zone, ms).date;
              const want = referenceQuery(data, { dims, inRange, label })
                .map((r) => ({ dimensions: r.dimensions, metrics: metrics.map((m) => r.metrics[m] as number | null) }))
                .sort((x, y) => (x.dimensions.join() < y.dimensions.join() ? -1 : 1));
              const got = (await query(site.readKey, domain, { metrics, date_range: [a, b], dimensions: dims, filters })).sort((x, y) => (x.dimensions.join() < y.dimensions.join() ? -1 : 1));
              expect({ zone, range: [a, b], dims, filters, rows: got }).toEqual({ zone, range: [a, b], dims, filters, rows: want });
            };
            const allEvents = [["is_not", "event:hostname", ["never.example"]]];
            const allVisits = [["is_not", "visit:entry_page", ["/never"]]];
            await check([], [...SESSION_METRICS, "views_per_visit"]);
            await check([], [...SESSION_METRICS], allEvents);
            for (const dim of ["visit:source", "visit:referrer", "visit:utm_source", "visit:utm_medium", "visit:device", "visit:browser", "visit:os", "visit:entry_page", "visit:exit_page", "visit:country"]) {
              await check([dim], SESSION_METRICS);
              await check([dim], SESSION_METRICS, allVisits);
            }
            await check(["event:page"], SESSION_METRICS);
            await check(["event:page"], [...SESSION_METRICS, "scroll_depth", "time_on_page"], allEvents);
            for (const dim of ["event:hostname", "event:goal", "event:props:plan"]) {
              await check([dim], EVENT_METRICS);
              await check([dim], EVENT_METRICS, allEvents);
            }
            await check(["time:day"], SESSION_METRICS);
            await check(["time:hour"], SESSION_METRICS);
            await check(["time:day"], SESSION_METRICS, allEvents);
            await check(["visit:source", "time:day"], SESSION_METRICS);
            await check(["event:page", "time:hour"], ["visits", ...EVENT_METRICS]);
            // Country and its name are one stored dimension: the aggregates (no filter) answer what raw rows (a filter that keeps all) do.
            const countries = { metrics: SESSION_METRICS, date_range: [a, b], dimensions: ["visit:country", "visit:country_name"] };
            const byJoin = (x: { dimensions: string[] }, y: { dimensions: string[] }) => (x.dimensions.join() < y.dimensions.join() ? -1 : 1);
            expect((await query(site.readKey, domain, countries)).sort(byJoin)).toEqual((await query(site.readKey, domain, { ...countries, filters: allVisits })).sort(byJoin));
            // A case-sensitive goal filter reads only the goal's hits and their visits: the same
            // answer as the case-insensitive one, which reads every visit of the range.
            for (const [dims, metrics] of [[[], ["visitors", "visits", "events", "bounce_rate", "visit_duration", "conversion_rate"]], [["visit:source"], ["visitors", "visits", "events", "conversion_rate"]], [["event:page"], ["visitors", "events", "conversion_rate"]], [["event:goal"], ["visitors", "events", "conversion_rate"]], [["time:hour"], ["visitors", "events", "conversion_rate"]], [["event:props:plan"], ["visitors", "events"]]] as [string[], string[]][]) {
              const body = { metrics, date_range: [a, b], dimensions: dims };
              const fast = await query(site.readKey, domain, { ...body, filters: [["is", "event:goal", ["Signup"]]] });
              const slow = await query(site.readKey, domain, { ...body, filters: [["is", "event:goal", ["signup"], { case_sensitive: false }]] });
              expect({ dims, rows: fast }).toEqual({ dims, rows: slow });
            }
          }
        }),
        { numRuns: Number(process.env.WEB_PROPERTY_RUNS ?? 25) },
      );
    },
    600_000,
  );
});
