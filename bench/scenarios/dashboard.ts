import { existsSync } from "node:fs";
import { join } from "node:path";
import { METRIC, SPAN_END, SPAN_START } from "../lib/points";
import { REPO } from "../lib/rpc";
import { percentile } from "../lib/stats";
import type { Recorder } from "../lib/report";
import type { Ours } from "../systems/ours";

/**
 * R10: a dashboard of 8 widgets over the main product's data, as a signed-in member sees it: the
 * page, then every widget slot's own GET (each widget loads alone), 6 at a time like a browser.
 * The figure is page start → last widget answered, per load; p95 over the loads.
 */
const range = { kind: "custom", from: new Date(SPAN_START).toISOString(), to: new Date(SPAN_END).toISOString() };
const WIDGETS = [
  { kind: "line", config: { aggregation: "sum", granularity: "hour" } },
  { kind: "line", config: { aggregation: "avg", granularity: "day", groupBy: ["region"] } },
  { kind: "number", config: { aggregation: "sum" } },
  { kind: "number", config: { aggregation: "count", filters: { region: "eu" } } },
  { kind: "line", config: { aggregation: "max", granularity: "hour", filters: { region: "eu", env: "prod" } } },
  { kind: "table", config: { aggregation: "sum", granularity: "day", groupBy: ["host"] } },
  { kind: "line", config: { aggregation: "min", granularity: "week" } },
  { kind: "number", config: { aggregation: "avg", filters: { env: "staging" } } },
] as const;

/** Made through the dashboards' own domain functions on the server's file (WAL: safe while it runs). */
export async function createBenchDashboard(ours: Ours): Promise<string | null> {
  if (!existsSync(join(REPO, "src/dashboards/widgets.ts"))) return null;
  const { openDatabase, closeDatabase } = await import("../../src/db/connection");
  const { createDashboard } = await import("../../src/dashboards/dashboards");
  const { addWidget } = await import("../../src/dashboards/widgets");
  const db = openDatabase(ours.dbPath, { sync: ours.sync });
  try {
    const productId = ours.products.main!.id;
    const dashboard = createDashboard(db, productId, { name: "Bench: 8 widgets" }, Date.now());
    for (const [k, w] of WIDGETS.entries()) {
      addWidget(db, productId, dashboard.id, { kind: w.kind, title: `w${k + 1} ${w.kind} ${w.config.aggregation}`, config: { metric: METRIC, range, ...w.config } as never }, Date.now());
    }
    return `/products/${productId}/dashboards/${dashboard.id}`;
  } finally {
    closeDatabase(db);
  }
}

async function get(ours: Ours, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(ours.url + path, { headers: { cookie: ours.sessionCookie, "hx-request": path.includes("/widgets/") ? "true" : "" } });
  return { status: res.status, text: await res.text() };
}

export async function dashboardRound(rec: Recorder, o: { ours: Ours; path: string | null; runs: number }): Promise<boolean> {
  if (!o.path) return rec.note("R10: dashboards not built yet — n/a"), false;
  const first = await get(o.ours, o.path);
  if (first.status === 404) return rec.note(`R10: ${o.path} answered 404 (dashboard pages not mounted yet) — n/a`), false;
  if (first.status !== 200) throw new Error(`dashboard page: HTTP ${first.status} ${first.text.slice(0, 300)}`);
  const slots = [...first.text.matchAll(/class="widget-slot[^"]*"[^>]*?hx-get="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
  const totals: number[] = [];
  const widgetTimes: number[] = [];
  for (let run = 0; run < o.runs + 1; run++) {
    const t0 = performance.now();
    const page = await get(o.ours, o.path);
    if (page.status !== 200) throw new Error(`dashboard page: HTTP ${page.status}`);
    const queue = [...slots];
    const lane = async () => {
      for (let url = queue.shift(); url; url = queue.shift()) {
        const t = performance.now();
        const r = await get(o.ours, url);
        if (r.status !== 200) throw new Error(`widget ${url}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
        if (run > 0) widgetTimes.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: 6 }, lane));
    if (run > 0) totals.push(performance.now() - t0); // run 0 warms the statement caches
  }
  const note = `${slots.length} widgets loaded by their own GETs, 6 at a time; ${o.runs} loads`;
  if (slots.length !== 8) rec.note(`R10: expected 8 widget slots on the page, found ${slots.length}`);
  rec.add("dashboard.p95_ms", percentile(totals, 95), "ms", "dashboard with 8 widgets: page + every widget, p95", note);
  rec.add("dashboard.widget_p95_ms", percentile(widgetTimes, 95), "ms", "one widget's GET, p95", note);
  return true;
}
