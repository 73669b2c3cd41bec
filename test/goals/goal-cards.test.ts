import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { fixedClock } from "../../src/lib/clock";
import { createGoal, listGoals } from "../../src/goals/goals";
import { goalQuery } from "../../src/goals/goal-card";
import { resolvePeriods } from "../../src/web/dashboard/periods";
import { formatMetric } from "../../src/web/dashboard/format";
import { makeSite, CHROME_UA, FIREFOX_UA, IPHONE_UA } from "../web/support";
import { sessionCookie } from "../helpers/sign-in";

/**
 * The web dashboard's Goals card once goals are defined: per goal its uniques, total, CR, revenue
 * (revenue goals) and median time from visit start, each equal to what /api/v2/query answers for
 * the card's own query; a goal filter turns every other card into conversions and CR per row,
 * again equal to the API; the details page shows the time-to-convert distribution.
 */
const NOW = Date.UTC(2026, 4, 10, 15);
const T0 = Date.UTC(2026, 4, 10, 9);
let server: TestServer;
let site: Awaited<ReturnType<typeof makeSite>>;
let cookie: string;
const clock = fixedClock(T0);

async function hit(at: number, ip: string, ua: string, body: Record<string, unknown>) {
  clock.set(at);
  const res = await server.fetch("/api/event", {
    method: "POST",
    headers: { "Content-Type": "text/plain", "User-Agent": ua, "X-Forwarded-For": ip },
    body: JSON.stringify({ d: site.domain, ...body, u: `https://${site.domain}${body.u}` }),
  });
  expect(res.status).toBe(202);
}

beforeAll(async () => {
  server = await startTestServer({ clock, env: { TRUSTED_PROXIES: "127.0.0.1" } });
  site = await makeSite(server.deps, { domain: "goals.example.com", timezone: "UTC" });
  cookie = sessionCookie(server.deps, site.user.id);
  createGoal(server.deps.db, site.product.id, { name: "Thanks", page: "/thank-you*" }, T0);
  createGoal(server.deps.db, site.product.id, { name: "Pro signup", event: "Signup", properties: { plan: "pro" } }, T0);
  createGoal(server.deps.db, site.product.id, { name: "Purchase", event: "purchase", currency: "USD" }, T0);
  const S = 1000;
  // A from Google: home, pricing, thank-you (+120 s), pro signup (+180 s), a $49 purchase (+240 s).
  await hit(T0, "10.2.0.1", CHROME_UA, { n: "pageview", u: "/", r: "https://www.google.com/" });
  await hit(T0 + 60 * S, "10.2.0.1", CHROME_UA, { n: "pageview", u: "/pricing" });
  await hit(T0 + 120 * S, "10.2.0.1", CHROME_UA, { n: "pageview", u: "/thank-you" });
  await hit(T0 + 180 * S, "10.2.0.1", CHROME_UA, { n: "Signup", u: "/thank-you", p: { plan: "pro" } });
  await hit(T0 + 240 * S, "10.2.0.1", CHROME_UA, { n: "purchase", u: "/thank-you", $: { amount: 49, currency: "USD" } });
  // B direct: home, then a free signup ten minutes later (not the pro goal).
  await hit(T0 + 300 * S, "10.2.0.2", FIREFOX_UA, { n: "pageview", u: "/" });
  await hit(T0 + 900 * S, "10.2.0.2", FIREFOX_UA, { n: "Signup", u: "/", p: { plan: "free" } });
  // C from Hacker News lands on the thank-you page (0 s) and buys for $20 after 30 s.
  await hit(T0 + 1000 * S, "10.2.0.3", IPHONE_UA, { n: "pageview", u: "/thank-you", r: "https://news.ycombinator.com/" });
  await hit(T0 + 1030 * S, "10.2.0.3", IPHONE_UA, { n: "purchase", u: "/thank-you", $: { amount: 20, currency: "USD" } });
  // D from Google: the home page only.
  await hit(T0 + 1100 * S, "10.2.0.4", CHROME_UA, { n: "pageview", u: "/", r: "https://www.google.com/" });
  await server.deps.queue.flushNow();
  clock.set(NOW);
});
afterAll(() => server.stop());

const page = async (path: string) => {
  const res = await server.fetch(path, { headers: { Cookie: cookie } });
  expect(res.status).toBe(200);
  return res.text();
};
const api = async (body: Record<string, unknown>) => {
  const res = await server.fetch("/api/v2/query", { method: "POST", headers: { Authorization: `Bearer ${site.readKey}` }, body: JSON.stringify({ site_id: site.domain, ...body }) });
  const json = await res.json();
  expect(res.status).toBe(200);
  return json as { results: { dimensions: string[]; metrics: number[] }[] };
};
/** A card's rows as [label, ...cell texts]. */
function rows(html: string, card: string): string[][] {
  const section = html.slice(html.indexOf(`data-testid="card-${card}"`));
  const body = section.slice(section.indexOf("<tbody>"), section.indexOf("</tbody>"));
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1]!.matchAll(/<(?:th|td)[^>]*>([\s\S]*?)<\/(?:th|td)>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, "").replace(/&amp;/g, "&").trim()),
  );
}

describe("goal cards", () => {
  test("each defined goal: uniques, total, CR, its revenue and the median time from visit start, as the API answers", async () => {
    const html = await page(`/products/${site.product.id}/web?range=7d`);
    const shown = rows(html, "goals");
    expect(shown).toEqual([
      ["Purchase", "2", "2", "50%", "$69.00", "2m 15s"],
      ["Thanks", "2", "2", "50%", "—", "1m 00s"],
      ["Pro signup", "1", "1", "25%", "—", "3m 00s"],
    ]);
    // The card's numbers are the API's for the card's own query body.
    const periods = resolvePeriods({ kind: "preset", preset: "7d" }, "UTC", NOW);
    for (const goal of listGoals(server.deps.db, site.product.id)) {
      const a = await api(goalQuery(goal, { filters: [] }, periods) as unknown as Record<string, unknown>);
      const row = shown.find((r) => r[0] === goal.name)!;
      expect([String(a.results[0]!.metrics[0]), String(a.results[0]!.metrics[1]), `${a.results[0]!.metrics[2]}%`]).toEqual(row.slice(1, 4));
    }
  });

  test("a goal filter shows every breakdown card as that goal's conversions and CR per row, equal to the API", async () => {
    const html = await page(`/products/${site.product.id}/web?range=7d&goal=Thanks`);
    expect(html).toContain("Goal is <strong>Thanks</strong>");
    const sources = rows(html, "sources");
    // Google: A converted of A and D (50%); Hacker News: C of C (100%).
    expect(sources).toEqual([
      ["Google", "1", "50%"],
      ["Hacker News", "1", "100%"],
    ]);
    const a = await api({ metrics: ["visitors", "conversion_rate"], date_range: "7d", dimensions: ["visit:source"], filters: [["is", "event:goal", ["Thanks"]]] });
    expect(a.results.map((r) => [r.dimensions[0], String(r.metrics[0]), formatMetric("conversion_rate", r.metrics[1]!, "USD")]).sort()).toEqual(sources.sort());
    expect(html).toMatch(/data-testid="card-devices"[\s\S]*?<th scope="col" class="num"[^>]*>Conversions<\/th>/);
    const devices = rows(html, "devices");
    const d = await api({ metrics: ["visitors", "conversion_rate"], date_range: "7d", dimensions: ["visit:device"], filters: [["is", "event:goal", ["Thanks"]]] });
    expect(d.results.map((r) => [r.dimensions[0], String(r.metrics[0]), formatMetric("conversion_rate", r.metrics[1]!, "USD")]).sort()).toEqual(devices.sort());
    // The goals card keeps one row per goal, each under its own goal (and the page's other filters).
    expect(rows(html, "goals").map((r) => r[0])).toEqual(["Purchase", "Thanks", "Pro signup"]);
  });

  test("under another filter a goal's time to convert counts only the conversions the row counts", async () => {
    const html = await page(`/products/${site.product.id}/web?range=7d&source=Google`);
    // From Google only A converted: Thanks after 120 s, Purchase after 240 s, $49.
    expect(rows(html, "goals")).toEqual([
      ["Pro signup", "1", "1", "50%", "—", "3m 00s"],
      ["Purchase", "1", "1", "50%", "$49.00", "4m 00s"],
      ["Thanks", "1", "1", "50%", "—", "2m 00s"],
    ]);
  });

  test("the Goals card's details page shows each goal's time-to-convert distribution", async () => {
    const html = await page(`/products/${site.product.id}/web/cards/goals?range=7d&details=1`);
    const section = html.slice(html.indexOf('data-testid="goal-times"'));
    const thanks = section.slice(section.indexOf('data-goal="Thanks"'), section.indexOf('data-goal="Pro signup"'));
    // C landed on the goal (<10 s), A took 120 s (1–5 min): the buckets between stay, one more fills five columns.
    expect([...thanks.matchAll(/data-bucket="(\d+)"><span class="num" data-testid="time-bucket-count">(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])])).toEqual([
      [0, 1],
      [10, 0],
      [30, 0],
      [60, 1],
      [300, 0],
    ]);
  });

  test("the CSV of the Goals card has the same rows", async () => {
    const res = await server.fetch(`/products/${site.product.id}/web/cards/goals/csv?range=7d`, { headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toBe("event:goal,visitors,events,conversion_rate,revenue,time_to_convert");
    expect(lines.slice(1)).toEqual(["Purchase,2,2,50,69,135", "Thanks,2,2,50,,60", "Pro signup,1,1,25,,180"]);
  });
});
