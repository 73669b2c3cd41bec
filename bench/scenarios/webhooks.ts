import { join } from "node:path";
import { openDatabase, closeDatabase } from "../../src/db/connection";
import { migrate } from "../../src/db/migrate";
import { createUser } from "../../src/auth/users";
import { createProduct } from "../../src/products/products";
import { createFlusher } from "../../src/writer/flush";
import type { WebHit } from "../../src/writer/batch";
import { newId } from "../../src/lib/tokens";
import { tempDir } from "../lib/procs";
import type { Recorder } from "../lib/report";

/**
 * What product webhooks cost on the write path: tracker hits flushed by the writer's own flush
 * code (createFlusher, what the writer thread runs) into a product with no webhook, and into one
 * whose endpoint takes goal.completed and visitor.new with 5 goals (3 page patterns, 2 custom
 * events) — goal matching per hit and outbox rows inside the same transactions. Batches of 500
 * hits, fresh visitors every 3 hits (so visitor.new is asked often and rate-limited), alternating
 * products so both see the same database state. Goal: hooked ≥ 0.9× plain.
 */
const BATCH = 500;

function hits(count: number, seed: number, t0: number): WebHit[] {
  return Array.from({ length: count }, (_, k) => ({
    tsMs: t0 + k * 50, visitorId: seed * 10_000_000 + Math.floor(k / 3), persistedId: null,
    name: k % 29 === 0 ? "Signup" : "pageview", hostname: "bench-hooks.example", pathname: k % 17 === 0 ? "/thank-you" : `/page/${k % 300}`,
    source: "Google", referrer: "google.com", utmSource: null, utmMedium: null, utmCampaign: null, utmContent: null, utmTerm: null, clickIds: null,
    country: "DE", region: null, device: "Desktop", browser: "Firefox", os: "Linux", props: k % 29 === 0 ? { plan: "pro" } : null, engagedMs: null, scrollDepth: null, revenue: null, interactive: true,
  }));
}

export async function webhooksRound(rec: Recorder, o: { n: number; round: number }) {
  const dir = tempDir("webhooks");
  const db = openDatabase(join(dir, "litekpi.db"), { sync: "normal" });
  try {
    await migrate(db.$client);
    const now = Date.now();
    const user = await createUser(db, { email: "hooks@example.com", password: "benchmark-password", verified: true }, now);
    const plain = createProduct(db, { ownerId: user.id, name: "plain", timezone: "UTC" }, now);
    const hooked = createProduct(db, { ownerId: user.id, name: "hooked", timezone: "UTC" }, now);
    db.$client
      .prepare("INSERT INTO webhooks (id, product_id, url, event_types, secret_sealed, created_at, updated_at) VALUES (?, ?, 'https://hooks.example.com/x', ?, 'sealed', ?, ?)")
      .run(newId(), hooked.id, JSON.stringify(["goal.completed", "visitor.new"]), now, now);
    const goal = db.$client.prepare("INSERT INTO goals (id, product_id, name, page, event, properties, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (const [name, page, event, props] of [["Thanks", "/thank-you*", null, null], ["Pricing", "/pricing", null, null], ["Docs", "/docs/**", null, null], ["Signup", null, "Signup", '{"plan":["pro","team"]}'], ["Download", null, "Download", null]] as const) {
      goal.run(newId(), hooked.id, name, page, event, props, now);
    }
    const flusher = createFlusher(db.$client, { maxSeriesPerProduct: 1000 });
    const count = Math.max(BATCH * 4, Math.min(200_000, Math.floor(o.n / 5)));
    const t0 = now - 86_400_000;
    const data = { [plain.id]: hits(count, 1, t0), [hooked.id]: hits(count, 2, t0) };
    const took = { [plain.id]: 0, [hooked.id]: 0 };
    const order = o.round % 2 ? [hooked.id, plain.id] : [plain.id, hooked.id];
    for (let i = 0; i < count; i += BATCH) {
      for (const productId of order) {
        const started = performance.now();
        const out = flusher.flush([{ seq: 1, batch: { kind: "web", productId, now, apiKeyId: null, idempotency: null, hits: data[productId]!.slice(i, i + BATCH), drops: [] } }]);
        took[productId]! += performance.now() - started;
        if (!out[0]!.ok) throw new Error(`webhooks bench flush failed: ${JSON.stringify(out[0])}`);
      }
    }
    const queued = (db.$client.query("SELECT count(*) AS n FROM webhook_messages").get() as { n: number }).n;
    const note = `${count.toLocaleString("en")} hits per product in flushes of ${BATCH}; ${queued.toLocaleString("en")} outbox rows queued for the hooked one`;
    rec.add("webhooks.flush.plain", (count / took[plain.id]!) * 1000, "hits/s", "tracker hits through the writer's flush, no webhook", note);
    rec.add("webhooks.flush.hooked", (count / took[hooked.id]!) * 1000, "hits/s", "the same with goal.completed + visitor.new subscribed (5 goals)", note);
  } finally {
    closeDatabase(db);
  }
}
