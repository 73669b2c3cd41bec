import { rollupRows, storedEvents, storedPoints } from "../helpers/data-plane";
import type { TestServer } from "../helpers/server";

/** POST to an ingestion endpoint with a key; answers status, headers and parsed JSON. */
export async function post(
  server: TestServer,
  path: string,
  body: BodyInit | null,
  opts: { key?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: any }> {
  const headers: Record<string, string> = { "Content-Type": "application/json", ...opts.headers };
  if (opts.key) headers.Authorization = `Bearer ${opts.key}`;
  const res = await server.fetch(path, { method: "POST", body, headers });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = { raw: text };
  }
  return { status: res.status, headers: res.headers, json };
}

/** Rows of the data plane for one product: how many raw points, events and series it has. */
export function counts(server: TestServer, productId: string) {
  const q = (sql: string) => (server.deps.db.$client.query(sql).get(productId) as { n: number }).n;
  return {
    points: storedPoints(server.deps, productId).length,
    events: storedEvents(server.deps, productId).length,
    series: q("SELECT count(*) AS n FROM series WHERE product_id = ?"),
  };
}

/** count and sum of a metric's all-tags day rows (what an unfiltered chart reads). */
export function allTagsTotals(server: TestServer, productId: string, metric: string) {
  const rows = rollupRows(server.deps, "rollup_1d", productId, { metric, allTags: true });
  return { count: rows.reduce((n, r) => n + r.count, 0), sum: rows.reduce((n, r) => n + r.sum, 0) };
}
