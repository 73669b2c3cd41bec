import type { TestServer } from "../helpers/server";
import { storedEvents as planeEvents, storedPoints as planePoints } from "../helpers/data-plane";

/** POST /api/v1/query with a read key: the engine's answer (one value over the range, unless asked). */
export async function query(server: TestServer, readKey: string, body: Record<string, unknown>): Promise<any> {
  const res = await server.fetch("/api/v1/query", {
    method: "POST",
    headers: { Authorization: `Bearer ${readKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ aggregation: "sum", from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", ...body }),
  });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`query ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The stored events of a product, oldest first, with their JSON parsed (from the data plane of the run). */
export function storedEvents(server: TestServer, productId: string) {
  const rows = planeEvents(server.deps, productId).sort((a, b) => a.ts_ms - b.ts_ms || a.seq - b.seq);
  return rows.map((r) => ({
    name: r.name,
    namespace: r.namespace,
    tsMs: r.ts_ms,
    id: r.id,
    userId: r.user_id,
    sessionId: r.session_id,
    properties: r.properties ? JSON.parse(r.properties) : null,
    context: r.context ? JSON.parse(r.context) : null,
  }));
}

/** Raw points of a product: metric, tags (canonical JSON), value, ts; by metric, then time. */
export function storedPoints(server: TestServer, productId: string) {
  const series = new Map(
    (server.deps.db.$client
      .query("SELECT s.id, s.metric, (SELECT json_group_object(t.key, t.value) FROM series_tags t WHERE t.series_id = s.id) AS tags FROM series s WHERE s.product_id = ?")
      .all(productId) as { id: number; metric: string; tags: string }[]).map((r) => [r.id, { metric: r.metric, tags: JSON.parse(r.tags) as Record<string, string> }]),
  );
  return planePoints(server.deps, productId)
    .map((p) => ({ metric: series.get(p.s)!.metric, value: p.v, tsMs: p.t, tags: series.get(p.s)!.tags }))
    .sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : a.tsMs - b.tsMs));
}
