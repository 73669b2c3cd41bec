import type { TestServer } from "../helpers/server";

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

/** The stored events of a product, oldest first, with their JSON parsed (no events query API on main yet). */
export function storedEvents(server: TestServer, productId: string) {
  const rows = server.deps.db.$client
    .query("SELECT name, namespace, ts_ms AS tsMs, id, user_id AS userId, session_id AS sessionId, properties, context FROM events WHERE product_id = ? ORDER BY ts_ms, seq")
    .all(productId) as { name: string; namespace: string | null; tsMs: number; id: string | null; userId: string | null; sessionId: string | null; properties: string | null; context: string | null }[];
  return rows.map((r) => ({ ...r, properties: r.properties ? JSON.parse(r.properties) : null, context: r.context ? JSON.parse(r.context) : null }));
}

/** Raw points of a product: metric, tags (canonical JSON), value, ts. */
export function storedPoints(server: TestServer, productId: string) {
  return server.deps.db.$client
    .query(
      `SELECT s.metric, p.value, p.ts_ms AS tsMs, (SELECT json_group_object(t.key, t.value) FROM series_tags t WHERE t.series_id = s.id) AS tags
       FROM points p JOIN series s ON s.id = p.series_id WHERE s.product_id = ? ORDER BY s.metric, p.ts_ms`,
    )
    .all(productId)
    .map((r: any) => ({ ...r, tags: JSON.parse(r.tags) })) as { metric: string; value: number; tsMs: number; tags: Record<string, string> }[];
}
