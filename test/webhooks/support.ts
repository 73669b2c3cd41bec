import { setSystemTime } from "bun:test";
import { Webhook } from "standardwebhooks";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { createKey } from "../../src/products/keys";
import { fixedClock } from "../../src/lib/clock";

/**
 * A webhooks test bed: the real server with a fixed clock and OUTBOUND_ALLOW for loopback, a
 * product with its keys, and a real HTTP receiver on loopback that checks every message with
 * the `standardwebhooks` reference verifier (Webhook.verify) and answers what the test says.
 */
export const MIN = 60_000;
export const iso = (ms: number) => new Date(ms).toISOString();

export type Received = { id: string; timestamp: string; signature: string; body: string; json: { type: string; timestamp: string; data: any }; verified: string[] };

/**
 * `now`: the receiver's clock (the test's fixed clock), which Webhook.verify's 5-minute timestamp
 * tolerance is judged against (through bun:test's setSystemTime, only around the call).
 */
export function startReceiver(opts: { status?: (n: number, req: Request) => number; now?: (req: Request) => number } = {}) {
  const got: Received[] = [];
  /** Secrets to verify with; a message is `verified` by each one that accepts it. */
  const secrets: string[] = [];
  let n = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const body = await req.text();
      const headers = { "webhook-id": req.headers.get("webhook-id") ?? "", "webhook-timestamp": req.headers.get("webhook-timestamp") ?? "", "webhook-signature": req.headers.get("webhook-signature") ?? "" };
      if (opts.now) setSystemTime(new Date(opts.now(req)));
      const verified = secrets.filter((s) => {
        try {
          new Webhook(s).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      if (opts.now) setSystemTime();
      got.push({ id: headers["webhook-id"], timestamp: headers["webhook-timestamp"], signature: headers["webhook-signature"], body, json: JSON.parse(body), verified });
      return new Response(verified.length ? "ok" : "bad signature", { status: verified.length ? (opts.status?.(n++, req) ?? 200) : 401 });
    },
  });
  return { got, secrets, url: `http://127.0.0.1:${server.port}/hook`, stop: () => server.stop(true) };
}

export type Bed = Awaited<ReturnType<typeof startBed>>;

export async function startBed(opts: { start: number; env?: Record<string, string>; dataDir?: string }) {
  const clock = fixedClock(opts.start);
  const server: TestServer = await startTestServer({ clock, dataDir: opts.dataDir, env: { OUTBOUND_ALLOW: "127.0.0.1", TRUSTED_PROXIES: "127.0.0.1", ...opts.env } });
  const owner = await makeProductWithKeys(server.deps, { timezone: "UTC" });
  const manageKey = createKey(server.deps.db, { productId: owner.product.id, scope: "manage" }, clock.now()).secret;
  const api = (method: string, path: string, body?: unknown, key = manageKey) =>
    server.fetch(path, { method, headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return {
    server,
    clock,
    owner,
    manageKey,
    api,
    async addWebhook(url: string, eventTypes: string[]) {
      const res = await api("POST", "/api/v1/webhooks", { url, event_types: eventTypes });
      const json = (await res.json()) as any;
      if (res.status !== 201) throw new Error(`create webhook ${res.status}: ${JSON.stringify(json)}`);
      return json as { id: string; secret: string; url: string; event_types: string[] };
    },
    /** Runs the real delivery job once at the clock's time. */
    deliver: () => server.deps.scheduler.runJobNow("webhooks.deliver"),
    deliveries: () =>
      server.deps.db.$client.query("SELECT id, event_type, status, attempts, next_attempt_at, last_status_code FROM webhook_messages ORDER BY created_at, id").all() as {
        id: string;
        event_type: string;
        status: string;
        attempts: number;
        next_attempt_at: number | null;
        last_status_code: number | null;
      }[],
    stop: () => server.stop(),
  };
}
