/** @jsxImportSource hono/jsx */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { fixtureRunner } from "./fixtures/web-answers";
import { loadDashboard } from "../../src/web/dashboard/load";
import { parseWebView, viewParams, viewUrl, viewUrlWith, withFilter, RANGE_PRESETS } from "../../src/web/dashboard/view";
import { addDays, daysBetween, resolvePeriods } from "../../src/web/dashboard/periods";
import { changeOf, formatDuration, formatMetric } from "../../src/web/dashboard/format";
import { cardCsv } from "../../src/web/dashboard/card-csv";
import { CARDS } from "../../src/web/dashboard/cards";
import { WebDashboardPage } from "../../views/pages/web/web-dashboard";

/**
 * The web dashboard's views as pure functions of fixture answers in /api/v2/query's shape (the
 * end-to-end test reads real data through the real function): what the page asks for, what it
 * shows, the URLs it builds, and its period arithmetic.
 */
const NOW = Date.parse("2026-03-20T12:00:00Z");
const ZONE = "Europe/Berlin";

async function render(query: string) {
  const { run, queries } = fixtureRunner("2026-03-14");
  const view = parseWebView(new URLSearchParams(query));
  const data = await loadDashboard(run, view, ZONE, NOW, { revenue: { enabled: false, goal: null } });
  const base = "/products/p1/web";
  const html = String(
    await WebDashboardPage({
      product: { id: "p1", name: "Acme" },
      view,
      periods: data.periods,
      urls: { base, panel: `${base}/panel`, realtime: `${base}/realtime`, install: `${base}/install` },
      panel: { base, panelUrl: `${base}/panel`, view, periods: data.periods, currency: "USD", ...data.panel },
      cards: data.cards.map((d) => ({ ...d, view, base, currency: "USD", cardUrl: (t) => viewUrlWith(`${base}/cards/${d.card.id}`, view, { tab: t.id }), csvUrl: viewUrlWith(`${base}/cards/${d.card.id}/csv`, view, { tab: d.tab.id }) })),
      realtime: data.realtime,
      empty: false,
    }),
  );
  return { html, queries, view, data };
}

describe("web dashboard view", () => {
  test("asks the Stats API for the totals of both periods, the chart, every card and the realtime count, with the page's filters", async () => {
    const { queries } = await render("range=7d&source=Google&country=DE");
    const filters = [["is", "visit:source", ["Google"]], ["is", "visit:country", ["DE"]]];
    const tops = queries.filter((q) => !q.dimensions && q.metrics.length === 7);
    expect(tops.map((q) => q.date_range)).toEqual([["2026-03-14", "2026-03-20"], ["2026-03-07", "2026-03-13"]]);
    for (const q of tops) expect(q.filters).toEqual(filters);
    expect(queries.find((q) => q.dimensions?.[0] === "time:day")).toMatchObject({ metrics: ["visitors"], include: { time_labels: true }, filters });
    const dims = queries.filter((q) => q.dimensions && !q.dimensions[0]!.startsWith("time:")).map((q) => q.dimensions!.join("+"));
    expect(dims.sort()).toEqual(["event:goal", "event:page", "visit:country+visit:country_name", "visit:device", "visit:source", "visit:utm_medium"]);
    const realtime = queries.find((q) => Array.isArray(q.date_range) && q.date_range[0]!.includes("T"))!;
    expect(realtime).toEqual({ metrics: ["visitors"], date_range: ["2026-03-20T11:55:00Z", "2026-03-20T12:00:00Z"] });
  });

  test("shows each total with its change, and rows that filter the page keeping the range", async () => {
    const { html } = await render("range=7d");
    expect(html).not.toContain("2,630 (");
    expect(html).toContain("2,040"); // visitors
    expect(html).toContain("1m 34s"); // visit duration
    expect(html).toContain("$1,519"); // revenue
    expect(html).toMatch(/▲ <\/span><span class="visually-hidden">up <\/span>25%/); // 2040 vs 1632
    expect(html).toContain('href="/products/p1/web?range=7d&amp;source=Google"');
    expect(html).toContain('href="/products/p1/web?range=7d&amp;country=DE"'); // filter by code, show the name
    expect(html).toContain(">Germany<");
    expect(html).toContain("IP geolocation by DB-IP");
    expect(html).toContain('hx-trigger="every 10s"');
    expect(html).toContain("<strong>7</strong> current visitors");
  });

  test("a filter shows as a removable chip; rows of a null value are not links", async () => {
    const { html } = await render("source=Google&page=%2Fpricing");
    expect(html).toContain('aria-label="Remove filter: Source is Google"');
    expect(html).toContain('href="/products/p1/web?page=%2Fpricing"'); // removing source keeps page
    expect(html).toMatch(/<span class="web-row-text muted">\(none\)<\/span>/);
  });

  test("the strict CSP holds: no inline script, no style attribute, no event handler attribute", async () => {
    const { html } = await render("range=today");
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
  });

  test("a bad range is not applied and says why; the default stays", () => {
    const view = parseWebView(new URLSearchParams("range=3y"));
    expect(view.range).toEqual({ kind: "preset", preset: "30d" });
    expect(view.error).toContain("Pick a range");
    expect(parseWebView(new URLSearchParams("from=2026-03-10&to=2026-03-01")).error).toContain("end on or after the start");
    expect(parseWebView(new URLSearchParams("from=2026-02-30&to=2026-03-01")).error).toBeDefined();
  });

  test("URLs round-trip: parse(viewParams(view)) is the view", () => {
    const keys = ["source", "page", "country", "goal", "utm_campaign"] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...RANGE_PRESETS),
        fc.uniqueArray(fc.constantFrom(...keys), { maxLength: 4 }),
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.constantFrom("visitors", "pageviews", "bounce_rate"),
        (preset, filterKeys, value, metric) => {
          let view = parseWebView(new URLSearchParams(`range=${preset}&metric=${metric}`));
          for (const k of filterKeys) view = withFilter(k, value + k)(view);
          const back = parseWebView(viewParams(view));
          expect(back).toEqual(view);
          expect(viewUrl("/x", view)).toBe(viewParams(view).toString() ? `/x?${viewParams(view)}` : "/x");
        },
      ),
    );
  });

  test("the previous period is as long as the current one and ends where it starts (every preset, any day, any zone)", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse("2020-01-01"), max: Date.parse("2030-12-31") }), fc.constantFrom("UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kathmandu"), fc.constantFrom("today", "7d", "30d", "90d"), (now, zone, preset) => {
        const p = resolvePeriods({ kind: "preset", preset }, zone, now);
        expect(daysBetween(p.current[0], p.current[1])).toBe(daysBetween(p.previous[0], p.previous[1]));
        expect(addDays(p.previous[1], 1)).toBe(p.current[0]);
      }),
    );
    const custom = resolvePeriods({ kind: "custom", from: "2026-02-25", to: "2026-03-03" }, "UTC", NOW);
    expect(custom.previous).toEqual(["2026-02-18", "2026-02-24"]);
    const year = resolvePeriods({ kind: "preset", preset: "12mo" }, "UTC", NOW);
    expect(year).toMatchObject({ current: ["2025-04-01", "2026-03-20"], previous: ["2024-04-01", "2025-03-31"], interval: "month" });
    const day = resolvePeriods({ kind: "preset", preset: "24h" }, "UTC", NOW);
    expect(day.current).toEqual(["2026-03-19T13:00:00Z", "2026-03-20T12:59:59Z"]);
  });

  test("figures: durations, rates, money; bounce rate changes in points and falling is good", () => {
    expect([formatDuration(45), formatDuration(185), formatDuration(3725)]).toEqual(["45s", "3m 05s", "1h 02m"]);
    expect(formatMetric("bounce_rate", 41.26, "USD")).toBe("41.3%");
    expect(formatMetric("rpv", 0.7421, "EUR")).toBe("€0.74");
    expect(changeOf("bounce_rate", 41, 45)).toMatchObject({ text: "4 pt", direction: "down", good: true });
    expect(changeOf("visitors", 50, 100)).toMatchObject({ text: "50%", direction: "down", good: false });
    expect(changeOf("visitors", 10, 0)).toBeNull();
  });

  test("a card's CSV: values, labels and plain numbers; a formula-looking value is defused", async () => {
    const pages = CARDS.find((c) => c.id === "pages")!;
    const visitors = [{ key: "visitors", label: "Visitors" }];
    const csv = cardCsv(pages.tabs[0]!, { rows: [{ value: "/=cmd|' /C calc'!A0", label: "/=cmd", metrics: [3] }, { value: "=1+1", label: "=1+1", metrics: [2] }], total: 2, columns: visitors });
    expect(csv.split("\r\n")).toEqual(["event:page,visitors", "/=cmd|' /C calc'!A0,3", "'=1+1,2", ""]);
    const locations = CARDS.find((c) => c.id === "locations")!;
    expect(cardCsv(locations.tabs[0]!, { rows: [{ value: "DE", label: "Germany", metrics: [402] }], total: 1, columns: visitors })).toBe("visit:country,visit:country_name,visitors\r\nDE,Germany,402\r\n");
  });
});
