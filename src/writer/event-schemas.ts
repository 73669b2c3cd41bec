import type { Database } from "bun:sqlite";

/**
 * The inferred schema of each event, kept by the writer as it stores events (never by scanning):
 * a flush folds its events' top-level property and context fields in memory — per (product,
 * name, field, JSON type) a count and the first example — then upserts one row per key.
 */
const EXAMPLE_MAX = 200;

type Key = { productId: string; name: string; field: string; type: string; seen: number; example: string };

export function createSchemaWriter(sqlite: Database) {
  const upsertField = sqlite.prepare(
    `INSERT INTO event_schema_fields (product_id, name, field, type, seen, example, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (product_id, name, field, type) DO UPDATE SET seen = seen + excluded.seen, last_seen_at = excluded.last_seen_at`,
  );
  const upsertCount = sqlite.prepare(
    `INSERT INTO event_name_counts (product_id, name, events, last_seen_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (product_id, name) DO UPDATE SET events = events + excluded.events, last_seen_at = excluded.last_seen_at`,
  );
  return {
    /** A fold for one flush: add each stored event, then write once inside the transaction. */
    fold() {
      const fields = new Map<string, Key>();
      const counts = new Map<string, { productId: string; name: string; events: number }>();
      const walk = (productId: string, name: string, doc: "properties" | "context", json: string | null) => {
        if (json === null) return;
        const obj = JSON.parse(json) as Record<string, unknown>;
        for (const k of Object.keys(obj)) {
          const v = obj[k];
          const type = v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
          const field = `${doc}.${k}`;
          const key = productId + "\u0000" + name + "\u0000" + field + "\u0000" + type;
          const cur = fields.get(key);
          if (cur) cur.seen++;
          else fields.set(key, { productId, name, field, type, seen: 1, example: JSON.stringify(v).slice(0, EXAMPLE_MAX) });
        }
      };
      return {
        add(productId: string, e: { name: string; properties: string | null; context: string | null }) {
          const key = productId + "\u0000" + e.name;
          const c = counts.get(key);
          if (c) c.events++;
          else counts.set(key, { productId, name: e.name, events: 1 });
          walk(productId, e.name, "properties", e.properties);
          walk(productId, e.name, "context", e.context);
        },
        write(now: number) {
          for (const f of fields.values()) upsertField.run(f.productId, f.name, f.field, f.type, f.seen, f.example, now);
          for (const c of counts.values()) upsertCount.run(c.productId, c.name, c.events, now);
        },
      };
    },
  };
}
export type SchemaFold = ReturnType<ReturnType<typeof createSchemaWriter>["fold"]>;
