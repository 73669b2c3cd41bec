import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { createKey } from "../../src/products/keys";
import { fixedClock } from "../../src/lib/clock";
import type { Deps } from "../../src/deps";

/**
 * An alerts test bed: the real server with a fixed clock, a product (UTC unless told), its
 * ingest and manage keys, and helpers that send points through the real ingestion API, make
 * rules through the real alerts API and step the clock a minute at a time, running the real job.
 */
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const iso = (ms: number) => new Date(ms).toISOString();

export type Bed = Awaited<ReturnType<typeof startBed>>;

export async function startBed(opts: { start: number; timezone?: string; env?: Record<string, string> }) {
  const clock = fixedClock(opts.start);
  const server = await startTestServer({ clock, env: opts.env });
  const owner = await makeProductWithKeys(server.deps, { timezone: opts.timezone ?? "UTC" });
  const manageKey = createKey(server.deps.db, { productId: owner.product.id, scope: "manage" }, clock.now()).secret;
  const api = (method: string, path: string, body?: unknown) =>
    server.fetch(path, { method, headers: { Authorization: `Bearer ${manageKey}`, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return {
    server,
    clock,
    owner,
    manageKey,
    api,
    async ingest(points: { metric: string; value: number; at: number; tags?: Record<string, string> }[]) {
      for (let i = 0; i < points.length; i += 1000) {
        const batch = points.slice(i, i + 1000).map((p) => ({ metric: p.metric, value: p.value, timestamp: iso(p.at), ...(p.tags ? { tags: p.tags } : {}) }));
        const res = await server.fetch("/api/v1/points", { method: "POST", headers: { Authorization: `Bearer ${owner.ingestKey}`, "Content-Type": "application/json" }, body: JSON.stringify(batch) });
        if (res.status !== 200) throw new Error(`ingest ${res.status}: ${await res.text()}`);
      }
    },
    async createRule(body: Record<string, unknown>) {
      const res = await api("POST", "/api/v1/alerts", { channels: [{ type: "in_app" }], ...body });
      const json = (await res.json()) as any;
      if (res.status !== 201) throw new Error(`create rule ${res.status}: ${JSON.stringify(json)}`);
      return json;
    },
    /** Moves the clock to each minute up to `to` (from the next one), running the job at each. */
    async stepTo(to: number, step = MIN) {
      while (clock.now() + step <= to) {
        clock.advance(step);
        await server.deps.scheduler.runJobNow("alerts.evaluate");
      }
    },
    episodes: (ruleId: string) => episodesOf(server.deps, ruleId),
    stop: () => server.stop(),
  };
}

export function episodesOf(deps: Deps, ruleId: string) {
  return (deps.db.$client.query("SELECT started_at, resolved_at, status, start_value, threshold FROM alert_episodes WHERE rule_id = ? ORDER BY started_at").all(ruleId) as {
    started_at: number;
    resolved_at: number | null;
    status: string;
    start_value: number | null;
    threshold: number | null;
  }[]).map((e) => ({ startedAt: iso(e.started_at), resolvedAt: e.resolved_at === null ? null : iso(e.resolved_at), status: e.status, startValue: e.start_value, threshold: e.threshold }));
}

export function notificationsOf(deps: Deps, ruleId: string) {
  return deps.db.$client.query("SELECT n.kind, n.status, n.payload, c.type FROM alert_notifications n JOIN alert_channels c ON c.id = n.channel_id WHERE n.rule_id = ? ORDER BY n.created_at, n.kind DESC").all(ruleId) as {
    kind: string;
    status: string;
    payload: string;
    type: string;
  }[];
}
