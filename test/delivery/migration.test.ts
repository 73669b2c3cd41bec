import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { startTestServer, tempDir, type TestServer } from "../helpers/server";
import { signIn } from "../helpers/sign-in";
import { fixedClock } from "../../src/lib/clock";
import { seal } from "../../src/lib/secret-box";
import { sha256Hex } from "../../src/lib/tokens";
import { createKey } from "../../src/products/keys";

/**
 * An existing installation upgrading to the one delivery log: a database made by the migrations
 * up to 0012 (the two old logs, webhook_attempts and alert_delivery_attempts, with rows in each)
 * is opened by the real server, whose start-up applies 0013_delivery_log. Every old attempt
 * survives with its values, the old tables are gone, and the rows are read back through the
 * webhooks API, the alerts API and both pages — and still go with their outbox rows.
 */
const SECRET = "delivery-log-migration-test-secret-0123456789";
const T0 = Date.UTC(2026, 4, 4, 9, 0);
const LAST_OLD_MIGRATION = 12; // 0012_webhooks: the last one with the two delivery logs

async function databaseAtOldSchema(path: string) {
  const sqlite = new Database(path, { create: true });
  sqlite.exec("PRAGMA foreign_keys = ON");
  sqlite.exec(`CREATE TABLE "__drizzle_migrations" (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)`);
  const journal = (await Bun.file(join(import.meta.dir, "../../migrations/meta/_journal.json")).json()) as { entries: { idx: number; when: number; tag: string }[] };
  for (const entry of journal.entries.filter((e) => e.idx <= LAST_OLD_MIGRATION)) {
    const sql = await Bun.file(join(import.meta.dir, `../../migrations/${entry.tag}.sql`)).text();
    for (const statement of sql.split("--> statement-breakpoint").map((s) => s.trim()).filter(Boolean)) sqlite.exec(statement);
    sqlite.query(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)`).run(sha256Hex(sql), entry.when);
  }
  return sqlite;
}

const OLD_WEBHOOK_ATTEMPTS = [
  { id: "att_w1", message_id: "msg_legacy", product_id: "p_legacy", attempt: 1, at: T0 + 1_000, ok: 0, status_code: 503, error: "Answered 503: busy", response: "busy", duration_ms: 12 },
  { id: "att_w2", message_id: "msg_legacy", product_id: "p_legacy", attempt: 2, at: T0 + 61_000, ok: 1, status_code: 200, error: null, response: "ok", duration_ms: 8 },
];
const OLD_ALERT_ATTEMPTS = [
  { id: "att_a1", notification_id: "n_legacy", product_id: "p_legacy", attempt: 1, at: T0 + 2_000, ok: 0, status_code: 404, error: "Answered 404: no such hook", duration_ms: 15 },
  { id: "att_a2", notification_id: "n_legacy", product_id: "p_legacy", attempt: 2, at: T0 + 3_000, ok: 0, status_code: null, error: "Could not connect: refused", duration_ms: 3 },
];

function seedOldRows(sqlite: Database) {
  const run = (sql: string, ...args: unknown[]) => sqlite.query(sql).run(...(args as string[]));
  run("INSERT INTO users (id, email, email_verified_at, created_at) VALUES ('u_legacy', 'owner@legacy.example', ?, ?)", T0, T0);
  run("INSERT INTO products (id, name, timezone, site_token, created_by, created_at) VALUES ('p_legacy', 'Legacy', 'UTC', 'site_legacy', 'u_legacy', ?)", T0);
  run("INSERT INTO memberships (product_id, user_id, role, created_at) VALUES ('p_legacy', 'u_legacy', 'owner', ?)", T0);
  run(
    `INSERT INTO webhooks (id, product_id, url, event_types, secret_sealed, created_by, created_at, updated_at)
     VALUES ('w_legacy', 'p_legacy', 'http://127.0.0.1:9/hook?token=legacyWebhookToken', '["goal.completed"]', ?, 'u_legacy', ?, ?)`,
    seal(SECRET, "product-webhook-secret", "whsec_bGVnYWN5bGVnYWN5bGVnYWN5bGVnYWN5"), T0, T0,
  );
  run(
    `INSERT INTO webhook_messages (id, product_id, endpoint_id, event_type, body, status, attempts, last_status_code, created_at, updated_at, sent_at)
     VALUES ('msg_legacy', 'p_legacy', 'w_legacy', 'goal.completed', '{"type":"goal.completed","timestamp":"2026-05-04T09:00:00.000Z","data":{}}', 'sent', 2, 200, ?, ?, ?)`,
    T0, T0 + 61_000, T0 + 61_000,
  );
  for (const a of OLD_WEBHOOK_ATTEMPTS) {
    run("INSERT INTO webhook_attempts (id, message_id, product_id, attempt, at, ok, status_code, error, response, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ...Object.values(a));
  }
  run(
    `INSERT INTO alerts (id, product_id, name, query, window, condition, evaluated_through, created_by, created_at, updated_at)
     VALUES ('r_legacy', 'p_legacy', 'Legacy rule', '{"metric":"signups","aggregation":"sum"}', '1m', '{"op":">","value":5}', ?, 'u_legacy', ?, ?)`,
    T0, T0, T0,
  );
  run(
    `INSERT INTO alert_channels (id, rule_id, product_id, position, type, config, secret_sealed, created_at)
     VALUES ('c_legacy', 'r_legacy', 'p_legacy', 0, 'webhook', '{"url":"http://127.0.0.1:9/alert?key=legacyAlertKey"}', ?, ?)`,
    seal(SECRET, "alert-webhook-secret", "whsec_YWxlcnRhbGVydGFsZXJ0YWxlcnRhbGVydA=="), T0,
  );
  run("INSERT INTO alert_episodes (id, rule_id, product_id, started_at, status, start_value, threshold, last_value) VALUES ('e_legacy', 'r_legacy', 'p_legacy', ?, 'active', 10, 5, 10)", T0);
  run(
    `INSERT INTO alert_notifications (id, product_id, rule_id, episode_id, channel_id, kind, status, payload, attempts, last_error, created_at, updated_at)
     VALUES ('n_legacy', 'p_legacy', 'r_legacy', 'e_legacy', 'c_legacy', 'started', 'failed', '{}', 2, 'Could not connect: refused', ?, ?)`,
    T0, T0 + 3_000,
  );
  for (const a of OLD_ALERT_ATTEMPTS) {
    run("INSERT INTO alert_delivery_attempts (id, notification_id, product_id, attempt, at, ok, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ...Object.values(a));
  }
}

let dir: ReturnType<typeof tempDir>;
let server: TestServer;
let key: string;
beforeAll(async () => {
  dir = tempDir();
  const old = await databaseAtOldSchema(join(dir.path, "litekpi.db"));
  seedOldRows(old);
  old.close();
  server = await startTestServer({ dataDir: dir.path, clock: fixedClock(T0 + 3_600_000), env: { SECRET, OUTBOUND_ALLOW: "127.0.0.1" } });
  key = createKey(server.deps.db, { productId: "p_legacy", scope: "manage" }, T0).secret;
});
afterAll(async () => {
  await server.stop();
  dir.remove();
});

const api = async (method: string, path: string) => {
  const res = await server.fetch(path, { method, headers: { Authorization: `Bearer ${key}` } });
  return { status: res.status, json: res.status === 204 ? null : ((await res.json()) as any) };
};
const sql = <T,>(query: string, ...args: string[]) => server.deps.db.$client.query(query).all(...args) as T[];

describe("migration 0013_delivery_log on an existing database", () => {
  test("every old attempt is in the one log with its values; the two old tables are gone", () => {
    const tables = sql<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%attempts%' ORDER BY name").map((t) => t.name);
    expect(tables).toEqual(["delivery_attempts"]);
    expect(sql("SELECT id, webhook_message_id, alert_notification_id, product_id, attempt, at, ok, status_code, error, response, duration_ms FROM delivery_attempts ORDER BY id")).toEqual([
      ...OLD_ALERT_ATTEMPTS.map(({ notification_id, ...a }) => ({ ...a, webhook_message_id: null, alert_notification_id: notification_id, response: null })),
      ...OLD_WEBHOOK_ATTEMPTS.map(({ message_id, ...a }) => ({ ...a, webhook_message_id: message_id, alert_notification_id: null })),
    ].sort((x, y) => x.id.localeCompare(y.id)).map(({ id, webhook_message_id, alert_notification_id, product_id, attempt, at, ok, status_code, error, response, duration_ms }) => ({ id, webhook_message_id, alert_notification_id, product_id, attempt, at, ok, status_code, error, response, duration_ms })));
    expect(sql("PRAGMA foreign_key_check")).toEqual([]);
  });

  test("the webhooks API reads the migrated attempts of a delivery, the endpoint URL masked", async () => {
    const one = await api("GET", "/api/v1/webhooks/w_legacy/deliveries/msg_legacy");
    expect(one.status).toBe(200);
    expect(one.json.attempts).toEqual([
      { attempt: 1, at: new Date(T0 + 1_000).toISOString(), ok: false, status_code: 503, error: "Answered 503: busy", response: "busy", duration_ms: 12 },
      { attempt: 2, at: new Date(T0 + 61_000).toISOString(), ok: true, status_code: 200, error: null, response: "ok", duration_ms: 8 },
    ]);
    const ep = await api("GET", "/api/v1/webhooks/w_legacy");
    expect(ep.json.url).toBe("http://127.0.0.1:9/hook?token=…");
  });

  test("the alerts API reads the migrated attempts of the rule's notification", async () => {
    const log = await api("GET", "/api/v1/alerts/r_legacy/deliveries");
    expect(log.status).toBe(200);
    expect(log.json.deliveries).toEqual([
      {
        id: "n_legacy",
        episode_id: "e_legacy",
        kind: "started",
        channel: { id: "c_legacy", type: "webhook", url: "http://127.0.0.1:9/alert?key=…" },
        status: "failed",
        last_status_code: null,
        last_error: "Could not connect: refused",
        next_attempt_at: null,
        created_at: new Date(T0).toISOString(),
        sent_at: null,
        attempts: [
          { attempt: 1, at: new Date(T0 + 2_000).toISOString(), ok: false, status_code: 404, error: "Answered 404: no such hook", response: null, duration_ms: 15 },
          { attempt: 2, at: new Date(T0 + 3_000).toISOString(), ok: false, status_code: null, error: "Could not connect: refused", response: null, duration_ms: 3 },
        ],
      },
    ]);
  });

  test("both pages show the migrated attempts with their status codes, and no token of a URL", async () => {
    const owner = signIn(server, "u_legacy");
    const rule = await (await owner.get("/products/p_legacy/alerts/r_legacy")).text();
    expect(rule).toContain('data-testid="attempt"');
    expect(rule).toContain("HTTP 404");
    expect(rule).toContain("Answered 404: no such hook");
    expect(rule).toContain("Could not connect: refused");
    expect(rule).not.toContain("legacyAlertKey");
    const log = await (await owner.get("/products/p_legacy/settings/webhooks/w_legacy")).text();
    expect(log).toContain("HTTP 503");
    expect(log).toContain("Answered 503: busy");
    expect(log).not.toContain("legacyWebhookToken");
  });

  test("migrated attempts still go with their outbox rows", async () => {
    expect((await api("DELETE", "/api/v1/webhooks/w_legacy")).status).toBe(204);
    expect(sql<{ id: string }>("SELECT id FROM delivery_attempts ORDER BY id").map((r) => r.id)).toEqual(["att_a1", "att_a2"]);
    expect((await api("DELETE", "/api/v1/alerts/r_legacy")).status).toBe(204);
    expect(sql("SELECT id FROM delivery_attempts")).toEqual([]);
  });
});
