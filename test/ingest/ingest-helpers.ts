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
    points: q("SELECT count(*) AS n FROM points WHERE series_id IN (SELECT id FROM series WHERE product_id = ?)"),
    events: q("SELECT count(*) AS n FROM events WHERE product_id = ?"),
    series: q("SELECT count(*) AS n FROM series WHERE product_id = ?"),
  };
}

/** count and sum of a metric's all-tags day rows (what an unfiltered chart reads). */
export function allTagsTotals(server: TestServer, productId: string, metric: string) {
  return server.deps.db.$client
    .query(
      `SELECT coalesce(sum(r.count), 0) AS count, coalesce(sum(r.sum), 0) AS sum FROM rollup_1d r JOIN series s ON s.id = r.series_id
       WHERE s.product_id = ? AND s.metric = ? AND s.tags_hash = '*'`,
    )
    .get(productId, metric) as { count: number; sum: number };
}
