import { afterAll, beforeAll, expect, test } from "bun:test";
import { fixedClock } from "../../src/lib/clock";
import { createDashboard } from "../../src/dashboards/dashboards";
import { addWidget } from "../../src/dashboards/widgets";
import { createDefinition } from "../../src/metrics/definitions";
import { startTestServer, type TestServer } from "../helpers/server";
import { signedInOwner } from "../dashboards/support";

/**
 * A saved metric as a widget's metric (`saved:<name>`): the number card shows what
 * metrics/query answers for the same range, a line card draws one point per day, and the form
 * offers the saved metrics next to the data's metric names.
 */
const NOW = Date.parse("2026-03-10T12:00:00Z");
let server: TestServer;
let owner: Awaited<ReturnType<typeof signedInOwner>>;
let dashboardId: string;

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(NOW) });
  owner = await signedInOwner(server, { timezone: "UTC" });
  const events = Array.from({ length: 12 }, (_, i) => ({ event: "signup", timestamp: new Date(NOW - i * 12 * 3_600_000).toISOString(), context: { user_id: `u${i % 4}` } }));
  const res = await server.fetch("/api/v1/events/batch", { method: "POST", headers: { Authorization: `Bearer ${owner.ingestKey}`, "Content-Type": "application/json" }, body: JSON.stringify({ events }) });
  expect(res.status).toBe(200);
  createDefinition(server.deps.db, owner.product.id, { name: "active_users", query: { filter: { event: "signup" }, aggregation: "distinct", aggregationField: "user_id" } }, { now: NOW, userId: null, timezone: "UTC" });
  dashboardId = createDashboard(server.deps.db, owner.product.id, { name: "Product" }, NOW).id;
});
afterAll(() => server.stop());

const get = (path: string) => server.fetch(path, { headers: { Cookie: owner.cookie, "HX-Request": "true" } });
const base = () => `/products/${owner.product.id}/dashboards/${dashboardId}`;
const config = { metric: "saved:active_users", aggregation: "count" as const, range: { kind: "last" as const, n: 7, unit: "d" as const }, filters: {}, groupBy: [], compare: false, size: "half" as const };

test("a number widget on a saved metric shows the metrics/query value", async () => {
  const w = addWidget(server.deps.db, owner.product.id, dashboardId, { kind: "number", title: "Active users", config }, NOW);
  const html = await (await get(`${base()}/widgets/${w.id}`)).text();
  const api = await server.fetch("/api/v1/metrics/query", { method: "POST", headers: { Authorization: `Bearer ${owner.readKey}`, "Content-Type": "application/json" }, body: JSON.stringify({ metric: "active_users", filter: { timeRange: "7d" } }) });
  const answer = await api.json();
  expect(answer.value).toBe(4);
  expect(html).toContain(`data-value="${answer.value}"`);
});

test("a line widget on a saved metric draws its days", async () => {
  const w = addWidget(server.deps.db, owner.product.id, dashboardId, { kind: "line", title: "Active users by day", config: { ...config, granularity: "day" } }, NOW);
  const html = await (await get(`${base()}/widgets/${w.id}`)).text();
  const chart = JSON.parse(/data-chart="([^"]*)"/.exec(html)![1]!.replaceAll("&quot;", '"').replaceAll("&amp;", "&"));
  expect(chart.series).toHaveLength(1);
  // 7 days back from noon: 8 day buckets. Two signups by two users a day from 5 to 9 March; on
  // the 10th only midnight's, as the range ends (half-open) at the signup made at noon.
  expect(chart.series[0].values).toEqual([0, 0, 2, 2, 2, 2, 2, 1]);
});

test("the widget form offers saved metrics; a missing one is an error card, not a broken page", async () => {
  const form = await (await get(`${base()}/widgets/new`)).text();
  expect(form).toContain('value="saved:active_users"');
  const w = addWidget(server.deps.db, owner.product.id, dashboardId, { kind: "number", title: "Gone", config: { ...config, metric: "saved:nope" } }, NOW);
  const res = await get(`${base()}/widgets/${w.id}`);
  expect(res.status).toBe(200);
  expect(await res.text()).toContain("No saved metric named");
});

test("insight kinds: active users draws DAU, WAU, MAU; retention shows the cohort triangle; both render in a report snapshot", async () => {
  const range = { kind: "last" as const, n: 7, unit: "d" as const };
  const au = addWidget(server.deps.db, owner.product.id, dashboardId, { kind: "active_users", title: "Active users", config: { ...config, metric: "", range } }, NOW);
  expect(au.config!.metric).toBe("insight:active_users");
  const html = await (await get(`${base()}/widgets/${au.id}`)).text();
  const chart = JSON.parse(/data-chart="([^"]*)"/.exec(html)![1]!.replaceAll("&quot;", '"').replaceAll("&amp;", "&"));
  expect(chart.series.map((s: { label: string }) => s.label)).toEqual(["DAU", "WAU", "MAU"]);
  // Active users count whole days: 10 March has the midnight and the noon signup, two users.
  expect(chart.series[0].values.at(-1)).toBe(2);
  expect(chart.series[2].values.at(-1)).toBe(4);

  const ret = addWidget(server.deps.db, owner.product.id, dashboardId, { kind: "retention", title: "Retention", config: { ...config, metric: "", granularity: "day", range, filters: { start_event: "signup", return_event: "signup" } } }, NOW);
  const table = await (await get(`${base()}/widgets/${ret.id}`)).text();
  expect(table).toContain('data-testid="retention-table"');
  expect(table).toContain("<th scope=\"row\">2026-03-05</th>");

  const { buildReportContent } = await import("../../src/reports/report-content");
  const { getDashboard } = await import("../../src/dashboards/dashboards");
  const content = await buildReportContent(server.deps, owner.product, getDashboard(server.deps.db, owner.product.id, dashboardId), NOW);
  const titles = content.widgets.map((w: { title: string; alt: string }) => [w.title, w.alt.slice(0, 40)]);
  expect(titles.map((t: string[]) => t[0])).toContain("Retention");
  expect(content.widgets.find((w: { id: string }) => w.id === au.id)!.alt).toContain("DAU 2");
});
