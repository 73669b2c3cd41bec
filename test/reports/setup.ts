import type { TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { createDashboard } from "../../src/dashboards/dashboards";
import { addWidget } from "../../src/dashboards/widgets";
import type { WidgetConfig } from "../../src/dashboards/widget-config";
import type { WidgetKind } from "../../src/dashboards/kinds";

/**
 * A product with 40 days of data sent through the real ingestion API, and a dashboard of six
 * widgets: two numbers, a line, a grouped line, a grouped table and a line with no data.
 */
export const DAY = 86_400_000;

export async function seedReportDashboard(server: TestServer, opts: { timezone?: string; email?: string } = {}) {
  const deps = server.deps;
  const owner = await makeProductWithKeys(deps, { timezone: opts.timezone ?? "Europe/Berlin", name: "Acme Cloud", email: opts.email });
  const now = deps.clock.now();
  const points: unknown[] = [];
  for (let d = 0; d < 40; d++) {
    // One point a day: today an hour ago, earlier days two hours after this time of day (so the
    // partial first bucket of a "last 30 days" range has its point too).
    const ts = new Date(d === 0 ? now - 3_600_000 : now - d * DAY + 2 * 3_600_000).toISOString();
    points.push({ metric: "signups", value: 100 + ((d * 37) % 60) + (40 - d) * 2, timestamp: ts });
    for (const [plan, base] of [["pro", 900], ["team", 400], ["free", 60]] as const) {
      points.push({ metric: "revenue", value: base + ((d * 13) % 7) * 25 + (40 - d) * 5, timestamp: ts, tags: { plan } });
    }
    for (const [country, base] of [["US", 40], ["DE", 22]] as const) points.push({ metric: "orders", value: base + (d % 5), timestamp: ts, tags: { country } });
  }
  for (let i = 0; i < points.length; i += 500) {
    const res = await server.fetch("/api/v1/points", {
      method: "POST",
      headers: { Authorization: `Bearer ${owner.ingestKey}`, "Content-Type": "application/json" },
      body: JSON.stringify(points.slice(i, i + 500)),
    });
    if (res.status !== 200) throw new Error(`ingest failed: ${res.status} ${await res.text()}`);
  }
  const dashboard = createDashboard(deps.db, owner.product.id, { name: "Weekly overview" }, now);
  const add = (kind: WidgetKind, title: string, config: Partial<WidgetConfig>) =>
    addWidget(
      deps.db,
      owner.product.id,
      dashboard.id,
      { kind, title, config: { metric: "signups", aggregation: "sum", range: { kind: "last", n: 7, unit: "d" }, filters: {}, groupBy: [], compare: true, size: "half", ...config } },
      now,
    );
  const widgets = [
    add("number", "Signups", {}),
    add("number", "Revenue", { metric: "revenue" }),
    add("line", "Signups per day", { granularity: "day", range: { kind: "last", n: 30, unit: "d" }, size: "full" }),
    add("line", "Revenue by plan", { metric: "revenue", granularity: "day", range: { kind: "last", n: 30, unit: "d" }, groupBy: ["plan"] }),
    add("table", "Orders by country", { metric: "orders", granularity: "day", groupBy: ["country"] }),
    add("line", "Trial conversions", { metric: "trial_converted", aggregation: "count", granularity: "day", range: { kind: "last", n: 30, unit: "d" } }),
  ];
  return { ...owner, dashboard, widgets };
}
