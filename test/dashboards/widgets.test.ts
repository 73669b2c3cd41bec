import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { widgets } from "../../src/db/schema";
import { createDashboard, setDashboardRange } from "../../src/dashboards/dashboards";
import { addWidget, type WidgetInput } from "../../src/dashboards/widgets";
import { widgetQuery } from "../../src/dashboards/widget-query";
import type { WidgetConfig } from "../../src/dashboards/widget-config";
import type { QueryInput } from "../../src/query/types";
import { startTestServer, type TestServer } from "../helpers/server";
import { seedSignups, signedInOwner } from "./support";

/**
 * Widgets over HTTP with a real server and database: what a card shows equals what the query
 * API answers for the same configuration; broken or refused widgets render an error card; the
 * form answers inline errors; ids of other dashboards are 404.
 */
describe("widget cards", () => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof signedInOwner>>;
  let dashboardId: string;

  beforeAll(async () => {
    server = await startTestServer();
    owner = await signedInOwner(server, { timezone: "America/New_York" });
    await seedSignups(server, owner.product.id, { days: 40 });
    dashboardId = createDashboard(server.deps.db, owner.product.id, { name: "Numbers" }, server.deps.clock.now()).id;
  });
  afterAll(async () => {
    await server?.stop();
  });

  const base = () => `/products/${owner.product.id}/dashboards/${dashboardId}`;
  const get = (path: string) => server.fetch(path, { headers: { Cookie: owner.cookie, "HX-Request": "true" } });
  const post = (path: string, form: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
    return server.fetch(path, { method: "POST", body, headers: { Cookie: owner.cookie, "HX-Request": "true", Origin: server.url } });
  };
  const api = async (input: QueryInput) => {
    const res = await server.fetch("/api/v1/query", {
      method: "POST",
      headers: { Authorization: `Bearer ${owner.readKey}`, "Content-Type": "application/json" },
      body: JSON.stringify(input),
    });
    expect(res.status).toBe(200);
    return res.json();
  };
  const add = (input: WidgetInput, dashboard = dashboardId) => addWidget(server.deps.db, owner.product.id, dashboard, input, server.deps.clock.now());
  const config = (c: Partial<WidgetConfig>): WidgetConfig => ({
    metric: "signups",
    aggregation: "sum",
    range: { kind: "last", n: 7, unit: "d" },
    filters: {},
    groupBy: [],
    compare: true,
    size: "half",
    ...c,
  });
  const attr = (html: string, name: string) => {
    const m = new RegExp(`${name}="([^"]*)"`).exec(html);
    return m ? m[1]!.replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("&#39;", "'") : null;
  };

  const numberCases: { name: string; config: Partial<WidgetConfig> }[] = [
    { name: "sum over 7 days", config: {} },
    { name: "count over 30 days, US only", config: { aggregation: "count", range: { kind: "last", n: 30, unit: "d" }, filters: { country: "US" } } },
    { name: "avg over 2 weeks, not free", config: { aggregation: "avg", range: { kind: "last", n: 2, unit: "w" }, filters: { plan: { not: "free" } } } },
    { name: "max over 24 hours", config: { aggregation: "max", range: { kind: "last", n: 24, unit: "h" } } },
    { name: "min over a month, US or DE", config: { aggregation: "min", range: { kind: "last", n: 1, unit: "mo" }, filters: { country: ["US", "DE"] } } },
  ];
  for (const c of numberCases) {
    test(`number widget (${c.name}) shows the query API's value and its change`, async () => {
      const w = add({ kind: "number", title: c.name, config: config(c.config) });
      const res = await get(`${base()}/widgets/${w.id}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      const shown = Number(attr(html, "data-value"));
      const input = widgetQuery("number", w.config!, { dashboardRange: null, timezone: owner.product.timezone });
      const answer = await api(input);
      expect(shown).toBe(answer.value);
      // The change compares with the period of equal length just before the answered range.
      const from = Date.parse(answer.from);
      const to = Date.parse(answer.to);
      const previous = await api({ ...input, range: undefined, from: new Date(from - (to - from)).toISOString(), to: new Date(from).toISOString() });
      const change = /<p [^>]*title="vs previous [^:"]*: ([^"]*)"[^>]*data-testid="widget-change"/.exec(html);
      const fmt = (v: number | null) => (v === null ? "—" : new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 }).format(v));
      expect(change?.[1]).toBe(fmt(previous.value));
    });
  }

  test("a line chart's series are the query API's series, one per group", async () => {
    const w = add({ kind: "line", title: "By country", config: config({ granularity: "day", range: { kind: "last", n: 14, unit: "d" }, groupBy: ["country"] }) });
    const html = await (await get(`${base()}/widgets/${w.id}`)).text();
    const chart = JSON.parse(attr(html, "data-chart")!);
    const answer = await api(widgetQuery("line", w.config!, { dashboardRange: null, timezone: owner.product.timezone }));
    expect(chart.series.map((s: { label: string }) => s.label).sort()).toEqual(["DE", "FR", "US"]);
    for (const s of answer.series) {
      const drawn = chart.series.find((x: { label: string }) => x.label === s.tags.country);
      expect(drawn.values).toEqual(s.points.map((p: { v: number }) => p.v));
    }
    expect(chart.x).toEqual(answer.series[0].points.map((p: { t: string }) => Date.parse(p.t) / 1000));
    expect(chart.timezone).toBe("America/New_York");
  });

  test("a table shows buckets × groups, 10 a page, sorted on the server", async () => {
    const w = add({ kind: "table", title: "By plan", config: config({ granularity: "day", range: { kind: "last", n: 14, unit: "d" }, groupBy: ["plan"] }) });
    const answer = await api(widgetQuery("table", w.config!, { dashboardRange: null, timezone: owner.product.timezone }));
    const all = answer.series.flatMap((s: { points: { v: number }[] }) => s.points.map((p) => p.v)).sort((a: number, b: number) => b - a);
    const html = await (await get(`${base()}/widgets/${w.id}?page=1&sort=value&dir=desc`)).text();
    const cells = [...html.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => Number(m[1]!.replaceAll(",", "")));
    expect(cells).toEqual(all.slice(0, 10));
    // The card refreshes itself with the same page and sort.
    expect(html).toContain(`/widgets/${w.id}?page=1&amp;sort=value&amp;dir=desc`);
    const page3 = await (await get(`${base()}/widgets/${w.id}?page=3&sort=value&dir=desc`)).text();
    expect([...page3.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => Number(m[1]))).toEqual(all.slice(20, 30));
  });

  test("the dashboard's range overrides the widget's own", async () => {
    const other = createDashboard(server.deps.db, owner.product.id, { name: "Ranged" }, server.deps.clock.now()).id;
    const w = add({ kind: "number", title: "Overridden", config: config({}) }, other);
    setDashboardRange(server.deps.db, owner.product.id, other, "30d", server.deps.clock.now());
    const html = await (await get(`/products/${owner.product.id}/dashboards/${other}/widgets/${w.id}`)).text();
    expect(html).toContain("Last 30 days");
    const answer = await api({ metric: "signups", aggregation: "sum", range: "30d" });
    expect(Number(attr(html, "data-value"))).toBe(answer.value);
  });

  test("a broken stored config, an unknown kind and a refused query render error cards; the page still loads", async () => {
    const broken = add({ kind: "number", title: "Broken", config: config({}) });
    server.deps.db.update(widgets).set({ config: '{"metric":"","aggregation":"median"}' }).where(eq(widgets.id, broken.id)).run();
    const pie = add({ kind: "number", title: "Pie", config: config({}) });
    server.deps.db.update(widgets).set({ kind: "pie" }).where(eq(widgets.id, pie.id)).run();
    const refused = add({ kind: "line", title: "Too split", config: config({ granularity: "day", groupBy: ["a", "b", "c", "d", "e", "f"] }) });
    for (const [w, message] of [
      [broken, "Pick a metric"],
      [pie, "Unknown visualization"],
      [refused, "group by at most 5 tag keys"],
    ] as const) {
      const res = await get(`${base()}/widgets/${w.id}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('data-testid="widget-problem"');
      expect(html).toContain(message);
      expect(html).toContain(`${w.id}/edit`); // still editable and removable from its menu
    }
    const page = await server.fetch(base(), { headers: { Cookie: owner.cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Broken");
  });

  test("a granularity too fine for the range steps up to one the engine accepts, and says so", async () => {
    const w = add({ kind: "line", title: "Too fine", config: config({ granularity: "minute", range: { kind: "last", n: 100, unit: "mo" } }) });
    const html = await (await get(`${base()}/widgets/${w.id}`)).text();
    expect(JSON.parse(attr(html, "data-chart")!).granularity).toBe("day");
    expect(html).toContain("by day (minute is too fine for this range)");
  });

  test("a metric with no data in range shows the empty state", async () => {
    const w = add({ kind: "line", title: "Refunds", config: config({ metric: "refunds", granularity: "day" }) });
    const html = await (await get(`${base()}/widgets/${w.id}`)).text();
    expect(html).toContain("No data for <strong>refunds</strong> in this range.");
  });

  test("the form answers 422 with each error beside its field, and keeps what was typed", async () => {
    const res = await post(`${base()}/widgets`, { kind: "line", title: "Keep me", metric: "", aggregation: "sum", granularity: "day", range_mode: "last", range_n: "0", range_unit: "d", filter_key: "country", filter_op: "is", filter_value: "" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="wf-metric-error"');
    expect(html).toContain("Pick a metric");
    expect(html).toContain("Enter a whole number from 1 to 1000");
    expect(html).toContain("Each filter needs a tag and a value");
    expect(html).toContain('value="Keep me"');
    const good = await post(`${base()}/widgets`, {
      kind: "number",
      title: "",
      metric: "signups",
      aggregation: "count",
      granularity: "day",
      range_mode: "custom",
      range_from: "2026-01-01",
      range_to: "2026-01-31",
      filter_key: ["country", "country"],
      filter_op: ["is", "is"],
      filter_value: ["US", "DE"],
      compare: "on",
    });
    expect(good.status).toBe(200);
    const slot = await good.text();
    expect(slot).toContain('hx-swap-oob="beforeend:#widget-grid"');
    const id = /data-widget-id="([^"]+)"/.exec(slot)![1]!;
    const stored = server.deps.db.select().from(widgets).where(eq(widgets.id, id)).get()!;
    expect(stored.title).toBe("signups · count");
    // Local dates in the product's zone (New York, UTC−5 in January), the end date inclusive.
    expect(JSON.parse(stored.config)).toMatchObject({
      range: { kind: "custom", from: "2026-01-01T05:00:00Z", to: "2026-02-01T05:00:00Z" },
      filters: { country: ["US", "DE"] },
    });
  });

  test("the form suggests the product's metrics, a metric's tag keys and a key's values", async () => {
    const form = await (await get(`${base()}/widgets/new`)).text();
    expect(form).toContain('<datalist id="metric-options"><option value="signups"></option></datalist>');
    expect(form).toContain('value="signups"'); // the only metric is preselected
    const keys = await (await get(`${base()}/widgets/suggest/tag-keys?metric=signups`)).text();
    expect(keys).toBe('<option value="country"></option><option value="plan"></option>');
    const values = await (await get(`${base()}/widgets/suggest/tag-values?metric=signups&filter_key=country`)).text();
    expect(values).toBe('<option value="DE"></option><option value="FR"></option><option value="US"></option>');
    expect(await (await get(`${base()}/widgets/suggest/tag-keys?metric=nothing`)).text()).toBe("");
    const row = await (await get(`${base()}/widgets/filter-row`)).text();
    expect(row).toContain('name="filter_key"');
  });

  test("the range lives in each person's URL; the dashboard's saved range is only the default", async () => {
    const w = add({ kind: "number", title: "Per person", config: config({}) });
    const page = (q = "") => server.fetch(`${base()}${q}`, { headers: { Cookie: owner.cookie } }).then((r) => r.text());
    const footer = (html: string) => /<footer class="widget-foot">([^<]*)<\/footer>/.exec(html)![1];
    // One person picks 30d: the page, its widget loads and its CSV links carry it …
    const mine = await page("?range=30d");
    expect(mine).toContain('value="30d" aria-pressed="true"');
    expect(mine).toContain(`hx-get="${base()}/widgets/${w.id}?range=30d"`);
    const card = await (await get(`${base()}/widgets/${w.id}?range=30d`)).text();
    expect(footer(card)).toContain("Last 30 days");
    expect(card).toContain("range=30d");
    expect(attr(card, "hx-get")).toBe(`${base()}/widgets/${w.id}?range=30d`);
    // … and nobody else's view changed: the saved range is untouched.
    expect(footer(await (await get(`${base()}/widgets/${w.id}`)).text())).toContain("Last 7 days");
    expect(await page()).toContain(`value="widget" aria-pressed="true"`);
    // Custom dates, and "Per widget" over a saved preset.
    const custom = await (await get(`${base()}/widgets/${w.id}?from=2026-01-01&to=2026-01-31`)).text();
    expect(footer(custom)).toContain("1 Jan 2026 – 31 Jan 2026");
    expect(custom).toContain("from=2026-01-01T05%3A00%3A00Z");

    // "Save as default" stores the view for everyone (and reports); the URL still overrides it.
    const saved = await post(`${base()}/range`, { range: "90d" });
    expect(saved.status).toBe(303);
    expect(footer(await (await get(`${base()}/widgets/${w.id}`)).text())).toContain("Last 90 days");
    expect(footer(await (await get(`${base()}/widgets/${w.id}?range=widget`)).text())).toContain("Last 7 days");
    expect(await page("?range=90d")).not.toContain("Save as default");
    expect(await page("?range=7d")).toContain("Save as default");
    // A rejected value changes nothing and goes back to the page as typed, which names the problem.
    const bad = await post(`${base()}/range`, { range: "custom", from: "2026-02-01", to: "2026-01-01" });
    expect(bad.headers.get("location")).toBe(`${base()}?from=2026-02-01&to=2026-01-01`);
    expect(await page("?from=2026-02-01&to=2026-01-01")).toContain("the end on or after the start");
    expect((await post(`${base()}/range`, { range: "5d" })).headers.get("location")).toBe(`${base()}?range=5d`);
    expect(footer(await (await get(`${base()}/widgets/${w.id}`)).text())).toContain("Last 90 days");
    await post(`${base()}/range`, { range: "" });
    expect(footer(await (await get(`${base()}/widgets/${w.id}`)).text())).toContain("Last 7 days");
  });

  test("reorder ignores ids it does not know; other dashboards' widget ids are 404", async () => {
    const d = createDashboard(server.deps.db, owner.product.id, { name: "Order" }, server.deps.clock.now()).id;
    const a = add({ kind: "number", title: "A", config: config({}) }, d);
    const b = add({ kind: "number", title: "B", config: config({}) }, d);
    const c = add({ kind: "number", title: "C", config: config({}) }, d);
    const foreign = add({ kind: "number", title: "Elsewhere", config: config({}) });
    const res = await post(`/products/${owner.product.id}/dashboards/${d}/widgets/order`, { ids: [c.id, "nope", foreign.id, a.id].join(",") });
    expect(res.status).toBe(204);
    const page = await (await server.fetch(`/products/${owner.product.id}/dashboards/${d}`, { headers: { Cookie: owner.cookie } })).text();
    const order = [...page.matchAll(/data-widget-title="([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(["C", "A", "B"]);
    expect((await get(`/products/${owner.product.id}/dashboards/${d}/widgets/${foreign.id}`)).status).toBe(404);
    expect((await post(`/products/${owner.product.id}/dashboards/${d}/widgets/${foreign.id}/delete`, {})).status).toBe(404);
    expect((await get(`/products/${owner.product.id}/dashboards/${d}/widgets/${b.id}`)).status).toBe(200);
  });
});
