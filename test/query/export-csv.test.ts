import { afterAll, beforeAll, expect, test } from "bun:test";
import { fixedClock } from "../../src/lib/clock";
import { startTestServer, type TestServer } from "../helpers/server";
import { CsvParser, parseCsv, unguard } from "./csv-parse";
import { makeTenants, sendPoints } from "./support";

/** GET /api/v1/export.csv over the real server, with points sent through POST /api/v1/points. */
const NOW = Date.parse("2026-03-10T12:00:00Z");
let server: TestServer;
let t: Awaited<ReturnType<typeof makeTenants>>;
let readA: Record<string, string>;

const POINTS: { metric: string; value: number; timestamp: string; tags?: Record<string, string> }[] = [
  { metric: "=SUM(A1:A9)", value: -5, timestamp: "2026-03-01T00:00:00Z", tags: { plan: "+pro", note: "=1+2" } },
  { metric: "=SUM(A1:A9)", value: 1.25e-7, timestamp: "2026-03-01T00:00:01.5Z", tags: { plan: "-free", note: "@me" } },
  { metric: "=SUM(A1:A9)", value: 3, timestamp: "2026-03-02T00:00:00Z", tags: { plan: "team", note: 'say "hi", ok' } },
  { metric: "=SUM(A1:A9)", value: 4, timestamp: "2026-03-02T00:00:00Z", tags: { plan: "team", note: 'say "hi", ok' } },
  { metric: "=SUM(A1:A9)", value: 1e21, timestamp: "2026-03-03T00:00:00Z", tags: { region: "eu,west" } },
  { metric: "=SUM(A1:A9)", value: 7, timestamp: "2026-03-03T00:00:00Z" },
  { metric: "=SUM(A1:A9)", value: 9, timestamp: "2026-03-09T00:00:00Z" }, // outside the exported range
  { metric: "signups", value: 1, timestamp: "2026-03-02T00:00:00Z", tags: { plan: "pro", country: "US" } },
  { metric: "signups", value: 2, timestamp: "2026-03-02T01:00:00Z", tags: { plan: "team", country: "DE" } },
  { metric: "signups", value: 4, timestamp: "2026-03-02T02:00:00Z", tags: { plan: "free" } },
  { metric: "signups", value: 8, timestamp: "2026-03-02T03:00:00Z", tags: { plan: "pro", country: "FR" } },
];

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(NOW) });
  t = await makeTenants(server);
  readA = { Authorization: `Bearer ${t.a.readKey}` };
  await sendPoints(server, t.a.ingestKey, POINTS);
  await sendPoints(server, t.b.ingestKey, [{ metric: "signups", value: 1000, timestamp: "2026-03-02T00:00:00Z", tags: { plan: "pro" } }]);
});
afterAll(() => server.stop());

const exportUrl = (params: Record<string, string | string[]>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) q.append(k, one);
  return `/api/v1/export.csv?${q}`;
};

test("header, RFC 4180 quoting, ISO UTC timestamps with ms, formula cells guarded, numbers untouched; round-trips", async () => {
  const res = await server.fetch(exportUrl({ metric: "=SUM(A1:A9)", from: "2026-03-01T00:00:00Z", to: "2026-03-05T00:00:00Z" }), { headers: readA });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(res.headers.get("content-disposition")).toBe('attachment; filename="Acme-Analytics_SUM-A1-A9_2026-03-01_2026-03-05.csv"');
  const text = await res.text();
  const lines = text.split("\r\n");
  expect(lines[0]).toBe("timestamp,metric,value,note,plan,region");
  expect(lines[1]).toBe("2026-03-01T00:00:00.000Z,'=SUM(A1:A9),-5,'=1+2,'+pro,");
  expect(text).toContain(",'@me,'-free,");
  expect(text).toContain(',"say ""hi"", ok",team,');
  expect(text).toContain(',1e+21,,,"eu,west"');
  expect(text.endsWith("\r\n")).toBe(true);

  const [header, ...rows] = parseCsv(text);
  const back = rows.map((r) => {
    const tags: Record<string, string> = {};
    header!.slice(3).forEach((k, i) => r[3 + i] !== "" && (tags[k] = unguard(r[3 + i]!)));
    return { metric: unguard(r[1]!), value: Number(r[2]), ts: Date.parse(r[0]!), tags };
  });
  const want = POINTS.filter((p) => p.metric === "=SUM(A1:A9)" && p.timestamp < "2026-03-05")
    .map((p) => ({ metric: p.metric, value: p.value, ts: Date.parse(p.timestamp), tags: p.tags ?? {} }));
  const key = (x: { ts: number; value: number }) => `${x.ts}:${x.value}`;
  expect(back.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(want.sort((a, b) => key(a).localeCompare(key(b))));
});

test("filters as URL parameters: filter.k repeated is one-of, filter_not.k keeps points without the tag", async () => {
  const csv = async (params: Record<string, string | string[]>) => {
    const res = await server.fetch(exportUrl({ metric: "signups", from: "2026-03-01T00:00:00Z", to: "2026-03-05T00:00:00Z", ...params }), { headers: readA });
    expect(res.status).toBe(200);
    return parseCsv(await res.text()).slice(1);
  };
  const values = (rows: string[][]) => rows.map((r) => Number(r[2])).sort((a, b) => a - b);
  expect(values(await csv({}))).toEqual([1, 2, 4, 8]); // B's 1000 never shows
  expect(values(await csv({ "filter.plan": ["pro", "team"] }))).toEqual([1, 2, 8]);
  expect(values(await csv({ "filter.plan": "pro", "filter_not.country": "FR" }))).toEqual([1]);
  expect(values(await csv({ "filter_not.country": "US" }))).toEqual([2, 4, 8]);
  // A range ending now: "9d" back from 10 March 12:00Z starts 1 March 12:00Z.
  expect(values(await csv({ from: [], to: [], range: "9d" }))).toEqual([1, 2, 4, 8]);
});

test("who may export, and bad parameters name the field", async () => {
  const status = async (params: Record<string, string | string[]>, headers: Record<string, string>) => {
    const res = await server.fetch(exportUrl({ metric: "signups", range: "30d", ...params }), { headers });
    return { status: res.status, body: await res.text() };
  };
  expect((await status({ product: t.a.product.id }, { Cookie: t.memberCookie })).status).toBe(200);
  expect((await status({ product: t.a.product.id }, { Cookie: t.ownerBCookie })).status).toBe(404);
  expect((await status({ product: t.b.product.id }, readA)).status).toBe(404);
  expect((await status({}, { Authorization: `Bearer ${t.a.ingestKey}` })).status).toBe(403);
  expect((await status({}, {})).status).toBe(401);
  for (const [params, field] of [
    [{ "filters.plan": "pro" }, "filters.plan"],
    [{ from: "2026-03-01T00:00:00Z" }, "range"],
    [{ range: [], from: "2026-03-05T00:00:00Z", to: "2026-03-01T00:00:00Z" }, "from"],
    [{ timezone: "Nowhere/Else" }, "timezone"],
    [{ "filter_not.plan": ["a", "b"] }, "filter_not.plan"],
  ] as const) {
    const r = await status(params as Record<string, string | string[]>, readA);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).field).toBe(field);
  }
});

test("the streaming parser itself: chunk boundaries anywhere give the same rows", () => {
  const text = 'a,"b ""x"", y",c\r\n"1\r\n2",,3\r\n';
  const whole = parseCsv(text);
  expect(whole.slice(0, 2)).toEqual([["a", 'b "x", y', "c"], ["1\r\n2", "", "3"]]);
  for (let cut = 1; cut < text.length; cut++) {
    const p = new CsvParser();
    expect([...p.push(text.slice(0, cut)), ...p.push(text.slice(cut)), ...p.end()]).toEqual(whole);
  }
});
