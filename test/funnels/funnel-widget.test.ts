import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fixedClock } from "../../src/lib/clock";
import { createDashboard, getDashboard } from "../../src/dashboards/dashboards";
import { addWidget, listWidgets } from "../../src/dashboards/widgets";
import { createFunnel, listFunnels } from "../../src/funnels/saved";
import { buildReportContent } from "../../src/reports/report-content";
import { startTestServer, type TestServer } from "../helpers/server";
import { signedInOwner } from "../dashboards/support";
import { ARTIFACTS } from "../helpers/browser";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The funnel widget kind: a saved funnel on a dashboard shows the numbers of
 * POST /api/v1/insights/funnel for the same range, and its report snapshot (PNG and alt text)
 * says the same.
 */
const NOW = Date.parse("2026-03-10T12:00:00Z");
let server: TestServer;
let owner: Awaited<ReturnType<typeof signedInOwner>>;
let dashboardId: string;

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(NOW) });
  owner = await signedInOwner(server, { timezone: "UTC" });
  const events = [];
  for (let i = 0; i < 12; i++) {
    const t = NOW - 2 * 86_400_000 + i * 60_000;
    events.push({ event: "signup", timestamp: new Date(t).toISOString(), context: { user_id: `u${i}` } });
    if (i % 2) events.push({ event: "created_project", timestamp: new Date(t + 60_000).toISOString(), context: { user_id: `u${i}` } });
    if (i % 4 === 1) events.push({ event: "invited_teammate", timestamp: new Date(t + 120_000).toISOString(), context: { user_id: `u${i}` } });
  }
  const res = await server.fetch("/api/v1/events/batch", { method: "POST", headers: { Authorization: `Bearer ${owner.ingestKey}`, "Content-Type": "application/json" }, body: JSON.stringify({ events }) });
  expect(res.status).toBe(200);
  createFunnel(server.deps.db, owner.product.id, { name: "Onboarding", steps: [{ event: "signup" }, { event: "created_project" }, { event: "invited_teammate" }], by: "user" }, NOW);
  dashboardId = createDashboard(server.deps.db, owner.product.id, { name: "Growth" }, NOW).id;
});
afterAll(() => server.stop());

test("the funnel card and its PNG show what the funnel API answers", async () => {
  const config = { metric: "", aggregation: "count" as const, range: { kind: "last" as const, n: 7, unit: "d" as const }, filters: { funnel: "Onboarding" }, groupBy: [], compare: false, size: "half" as const };
  const w = addWidget(server.deps.db, owner.product.id, dashboardId, { kind: "funnel", title: "Onboarding", config }, NOW);
  expect(w.config!.metric).toBe("insight:funnel");
  const html = await (await server.fetch(`/products/${owner.product.id}/dashboards/${dashboardId}/widgets/${w.id}`, { headers: { Cookie: owner.cookie, "HX-Request": "true" } })).text();
  const shown = [...html.matchAll(/data-testid="funnel-visitors">([\d,]+) /g)].map((m) => Number(m[1]!.replace(/,/g, "")));

  const api = await server.fetch("/api/v1/insights/funnel", {
    method: "POST",
    headers: { Authorization: `Bearer ${owner.readKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ steps: [{ event: "signup" }, { event: "created_project" }, { event: "invited_teammate" }], by: "user", date_range: "7d" }),
  });
  const answer = await api.json();
  expect(answer.steps.map((s: { visitors: number }) => s.visitors)).toEqual([12, 6, 3]);
  expect(shown).toEqual([12, 6, 3]);

  const content = await buildReportContent(server.deps, owner.product, getDashboard(server.deps.db, owner.product.id, dashboardId), NOW);
  const card = content.widgets.find((x: { id: string }) => x.id === w.id)!;
  expect(card.alt).toContain("signup 12 (100%), then created_project 6 (50%), then invited_teammate 3 (25%)");
  const png = card.snapshot.png;
  expect(new TextDecoder().decode(png.subarray(1, 4))).toBe("PNG");
  expect(card.snapshot.height).toBeGreaterThan(100);
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, "funnel-widget.png"), png);
});

test("a funnel widget naming no saved funnel is an error card, not a broken page", async () => {
  const config = { metric: "", aggregation: "count" as const, range: { kind: "last" as const, n: 7, unit: "d" as const }, filters: { funnel: "Nope" }, groupBy: [], compare: false, size: "half" as const };
  const w = addWidget(server.deps.db, owner.product.id, dashboardId, { kind: "funnel", title: "Gone", config }, NOW);
  const res = await server.fetch(`/products/${owner.product.id}/dashboards/${dashboardId}/widgets/${w.id}`, { headers: { Cookie: owner.cookie, "HX-Request": "true" } });
  expect(res.status).toBe(200);
  expect(await res.text()).toContain("No saved funnel named");
});

describe("the widget form's funnel picker", () => {
  const base = () => `/products/${owner.product.id}/dashboards/${dashboardId}`;
  const post = (path: string, form: Record<string, string>) =>
    server.fetch(path, { method: "POST", body: new URLSearchParams(form), headers: { Cookie: owner.cookie, "HX-Request": "true", Origin: server.url } });
  const formFor = (extra: Record<string, string>) => ({ kind: "funnel", title: "", metric: "", aggregation: "sum", granularity: "day", range_mode: "last", range_n: "7", range_unit: "d", ...extra });

  test("lists the product's saved funnels by name and saves the one picked as the widget's funnel, by id", async () => {
    const funnelId = listFunnels(server.deps.db, owner.product.id).find((f) => f.name === "Onboarding")!.id;
    const form = await (await server.fetch(`${base()}/widgets/new`, { headers: { Cookie: owner.cookie, "HX-Request": "true" } })).text();
    expect(form).toContain('data-testid="funnel-picker"');
    expect(form).toContain(`<option value="${funnelId}">Onboarding</option>`);

    const res = await post(`${base()}/widgets`, formFor({ funnel: funnelId, title: "Picked" }));
    expect(res.status).toBe(200);
    const w = listWidgets(server.deps.db, owner.product.id, dashboardId).find((x) => x.title === "Picked")!;
    expect(w.kind).toBe("funnel");
    expect(w.config!.metric).toBe("insight:funnel");
    expect(w.config!.filters).toEqual({ funnel: funnelId });
    // Left untitled, a funnel widget is called what its funnel is called.
    const untitled = await post(`${base()}/widgets`, formFor({ funnel: funnelId }));
    expect(untitled.status).toBe(200);
    expect(listWidgets(server.deps.db, owner.product.id, dashboardId).at(-1)!.title).toBe("Onboarding");
    // The card reads it: the same numbers as the API test above.
    const html = await (await server.fetch(`${base()}/widgets/${w.id}`, { headers: { Cookie: owner.cookie, "HX-Request": "true" } })).text();
    // by: "user" funnel: the card counts users, and says so.
    expect([...html.matchAll(/data-testid="funnel-visitors">([\d,]+) users/g)].map((m) => Number(m[1]))).toEqual([12, 6, 3]);
    // Editing shows the picked funnel selected, not a filter row to type into.
    const edit = await (await server.fetch(`${base()}/widgets/${w.id}/edit`, { headers: { Cookie: owner.cookie, "HX-Request": "true" } })).text();
    expect(edit).toContain(`<option value="${funnelId}" selected="">Onboarding</option>`);
    expect(edit).not.toContain(`value="${funnelId}" list=`);
  });

  test("no funnel picked, or one that is gone, is an error beside the picker and saves nothing", async () => {
    const before = listWidgets(server.deps.db, owner.product.id, dashboardId).length;
    for (const [funnel, message] of [
      ["", "Pick a saved funnel"],
      ["f_gone", "That funnel no longer exists"],
    ] as const) {
      const res = await post(`${base()}/widgets`, formFor({ funnel }));
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain('id="wf-funnel-error"');
      expect(html).toContain(message);
    }
    expect(listWidgets(server.deps.db, owner.product.id, dashboardId).length).toBe(before);
  });

  test("a product without saved funnels gets the way to make one instead of an empty list", async () => {
    const other = await signedInOwner(server, { timezone: "UTC" });
    const d = createDashboard(server.deps.db, other.product.id, { name: "Empty" }, NOW).id;
    const form = await (await server.fetch(`/products/${other.product.id}/dashboards/${d}/widgets/new`, { headers: { Cookie: other.cookie, "HX-Request": "true" } })).text();
    expect(form).not.toContain('data-testid="funnel-picker"');
    expect(form).toContain(`href="/products/${other.product.id}/funnels"`);
  });
});
