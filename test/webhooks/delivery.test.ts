import { afterEach, describe, expect, test } from "bun:test";
import { startBed, startReceiver, MIN, type Bed } from "./support";
import { EMPTY_ALLOW } from "../../src/outbound/allow";
import { BACKOFF_MS } from "../../src/webhooks/retry";
import { DISABLE_AFTER_MS } from "../../src/webhooks/deliver";

/**
 * The delivery queue with a fixed clock: retries after 500s on the backoff schedule with the same
 * webhook-id, no retry after a 4xx, the outbound guard at save and at send, secret rotation with
 * both signatures during the overlap, switching an endpoint off after persistent failure (and its
 * waiting messages sent once it is enabled again), the example send and redelivery.
 */
const T0 = Date.UTC(2026, 4, 4, 9, 0);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function setup(status?: (n: number) => number) {
  const bed = await startBed({ start: T0 });
  const rx = startReceiver({ status, now: () => bed.clock.now() });
  cleanups.push(() => bed.stop(), () => rx.stop());
  expect((await bed.api("POST", "/api/v1/goals", { name: "Signup", event: "signup" })).status).toBe(201);
  return { bed, rx };
}

let seq = 0;
async function signup(bed: Bed) {
  const res = await bed.server.fetch("/api/v1/events", { method: "POST", headers: { Authorization: `Bearer ${bed.owner.ingestKey}`, "Content-Type": "application/json" }, body: JSON.stringify([{ event: "signup", id: `s-${++seq}` }]) });
  expect(res.status).toBe(200);
}

/** Moves the clock to each next due retry and runs the job, until nothing is left to retry. */
async function drain(bed: Bed) {
  for (;;) {
    const next = bed.deliveries().filter((d) => d.status === "retrying").map((d) => d.next_attempt_at!);
    if (!next.length) return;
    bed.clock.set(Math.min(...next));
    await bed.deliver();
  }
}

const attemptsOf = (bed: Bed, id: string) =>
  bed.server.deps.db.$client.query("SELECT attempt, ok, status_code, at, duration_ms FROM delivery_attempts WHERE webhook_message_id = ? ORDER BY attempt").all(id) as { attempt: number; ok: number; status_code: number | null; at: number; duration_ms: number }[];

describe("webhook delivery", () => {
  test("500, 500, then 200: retried after 1 and 5 minutes, the same webhook-id and body each time", async () => {
    const { bed, rx } = await setup((n) => (n < 2 ? 500 : 200));
    const hook = await bed.addWebhook(rx.url, ["goal.completed"]);
    rx.secrets.push(hook.secret);
    await signup(bed);
    await bed.deliver();
    const [d] = bed.deliveries();
    expect(d).toMatchObject({ status: "retrying", attempts: 1, last_status_code: 500, next_attempt_at: T0 + BACKOFF_MS[0]! });
    bed.clock.advance(30_000);
    await bed.deliver();
    expect(rx.got).toHaveLength(1); // not due yet
    bed.clock.advance(30_000);
    await bed.deliver();
    expect(bed.deliveries()[0]).toMatchObject({ status: "retrying", attempts: 2, next_attempt_at: T0 + MIN + BACKOFF_MS[1]! });
    bed.clock.advance(BACKOFF_MS[1]!);
    await bed.deliver();
    expect(bed.deliveries()[0]).toMatchObject({ status: "sent", attempts: 3, last_status_code: 200 });
    expect(rx.got.map((m) => m.id)).toEqual([d!.id, d!.id, d!.id]);
    expect(new Set(rx.got.map((m) => m.body)).size).toBe(1);
    expect(rx.got.every((m) => m.verified.length === 1)).toBe(true);
    expect(attemptsOf(bed, d!.id).map((a) => [a.attempt, a.ok, a.status_code, a.at])).toEqual([
      [1, 0, 500, T0],
      [2, 0, 500, T0 + MIN],
      [3, 1, 200, T0 + 6 * MIN],
    ]);
    await bed.deliver();
    expect(rx.got).toHaveLength(3); // sent stays sent
  });

  test("a 400 is not retried; 429 is", async () => {
    const { bed, rx } = await setup((n) => (n === 0 ? 400 : 429));
    rx.secrets.push((await bed.addWebhook(rx.url, ["goal.completed"])).secret);
    await signup(bed);
    await signup(bed);
    await bed.deliver();
    expect(bed.deliveries().map((d) => d.status).sort()).toEqual(["failed", "retrying"]);
  });

  test("the outbound guard: private URLs refused at save (nothing stored), and at send when the allow list changed", async () => {
    const { bed, rx } = await setup();
    for (const url of ["http://10.0.0.5/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]:9/x", "ftp://example.com/x"]) {
      const res = await bed.api("POST", "/api/v1/webhooks", { url, event_types: ["goal.completed"] });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "outbound_url_refused", field: "url" });
    }
    expect((await (await bed.api("GET", "/api/v1/webhooks")).json()).webhooks).toEqual([]);
    const hook = await bed.addWebhook(rx.url, ["goal.completed"]);
    const patch = await bed.api("PATCH", `/api/v1/webhooks/${hook.id}`, { url: "http://192.168.1.1/x" });
    expect(patch.status).toBe(400);
    bed.server.deps.config.outboundAllow = EMPTY_ALLOW; // an administrator removed loopback from OUTBOUND_ALLOW
    await signup(bed);
    await bed.deliver();
    expect(rx.got).toHaveLength(0);
    const [d] = bed.deliveries();
    expect(d!.status).toBe("failed"); // permanent: no retry against a refused address
    const log = (await (await bed.api("GET", `/api/v1/webhooks/${hook.id}/deliveries/${d!.id}`)).json()) as any;
    expect(log.attempts[0].error).toContain("loopback");
  });

  test("rotation: both secrets sign for 24 hours, then only the new one", async () => {
    const { bed, rx } = await setup();
    const hook = await bed.addWebhook(rx.url, ["goal.completed"]);
    const rotated = (await (await bed.api("POST", `/api/v1/webhooks/${hook.id}/rotate-secret`)).json()) as { secret: string };
    expect(rotated.secret).toStartWith("whsec_");
    expect(rotated.secret).not.toBe(hook.secret);
    const shown = (await (await bed.api("GET", `/api/v1/webhooks/${hook.id}`)).json()) as { secret: string };
    expect(shown.secret).toBe(`whsec_…${rotated.secret.slice(-4)}`);
    rx.secrets.push(hook.secret, rotated.secret);
    await signup(bed);
    await bed.deliver();
    expect(rx.got[0]!.verified.sort()).toEqual([hook.secret, rotated.secret].sort());
    expect(rx.got[0]!.signature.split(" ")).toHaveLength(2);
    bed.clock.advance(24 * 60 * MIN + 1);
    await signup(bed);
    await bed.deliver();
    expect(rx.got[1]!.verified).toEqual([rotated.secret]);
  });

  test("every delivery failing for 5 days switches the endpoint off with a reason; nothing is queued while off; enabled again it delivers", async () => {
    let down = true;
    const { bed, rx } = await setup(() => (down ? 503 : 200));
    const hook = await bed.addWebhook(rx.url, ["goal.completed"]);
    rx.secrets.push(hook.secret);
    await signup(bed);
    await bed.deliver();
    await drain(bed);
    expect(bed.deliveries().map((d) => [d.status, d.attempts])).toEqual([["failed", BACKOFF_MS.length + 1]]);
    let ep = (await (await bed.api("GET", `/api/v1/webhooks/${hook.id}`)).json()) as any;
    expect(ep.enabled).toBe(true); // 10 hours of failing is not 5 days
    bed.clock.set(T0 + DISABLE_AFTER_MS);
    await signup(bed);
    await bed.deliver();
    await drain(bed);
    ep = (await (await bed.api("GET", `/api/v1/webhooks/${hook.id}`)).json()) as any;
    expect(ep).toMatchObject({ enabled: false, disabled_reason: expect.stringContaining("every delivery failed for 5 days") });
    // The owners are told by mail, once.
    const mails = bed.server.deps.db.$client.query("SELECT subject, text FROM outbox WHERE subject LIKE 'A webhook of %'").all() as { subject: string; text: string }[];
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(`/settings/webhooks/${hook.id}`);
    const received = rx.got.length;
    const queued = bed.deliveries().length;
    await signup(bed); // while off: not queued
    await bed.deliver();
    expect(rx.got).toHaveLength(received);
    expect(bed.deliveries()).toHaveLength(queued);
    down = false;
    expect((await bed.api("PATCH", `/api/v1/webhooks/${hook.id}`, { enabled: true })).status).toBe(200);
    await signup(bed);
    await bed.deliver();
    expect(rx.got).toHaveLength(received + 1);
    expect(rx.got.at(-1)!.verified).toHaveLength(1);
    ep = (await (await bed.api("GET", `/api/v1/webhooks/${hook.id}`)).json()) as any;
    expect(ep).toMatchObject({ enabled: true, disabled_reason: null });
  });

  test("send example and redeliver: signed like any message, logged, redelivery keeps the webhook-id", async () => {
    const { bed, rx } = await setup();
    const hook = await bed.addWebhook(rx.url, ["purchase.completed", "visitor.new"]);
    rx.secrets.push(hook.secret);
    const sent = (await (await bed.api("POST", `/api/v1/webhooks/${hook.id}/test`, { event_type: "purchase.completed" })).json()) as any;
    expect(sent).toMatchObject({ ok: true, status_code: 200, error: null });
    expect(rx.got[0]!.json).toMatchObject({ type: "purchase.completed", data: { amount_minor: 4900, currency: "USD" } });
    const bad = await bed.api("POST", `/api/v1/webhooks/${hook.id}/test`, { event_type: "nope" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: "event_type" });
    const again = (await (await bed.api("POST", `/api/v1/webhooks/${hook.id}/deliveries/${sent.delivery_id}/redeliver`)).json()) as any;
    expect(again).toMatchObject({ ok: true, delivery_id: sent.delivery_id });
    expect(rx.got.map((m) => m.id)).toEqual([sent.delivery_id, sent.delivery_id]);
    const list = (await (await bed.api("GET", `/api/v1/webhooks/${hook.id}/deliveries`)).json()) as any;
    expect(list.deliveries).toHaveLength(1);
    expect(list.deliveries[0]).toMatchObject({ id: sent.delivery_id, status: "sent", attempts: 2, event_type: "purchase.completed" });
  });
});
