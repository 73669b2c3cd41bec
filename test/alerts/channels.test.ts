import { afterAll, afterEach, beforeAll, describe, expect, setSystemTime, test } from "bun:test";
import { Webhook } from "standardwebhooks";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp";
import { parseOutboundAllow } from "../../src/outbound/allow";
import { MIN, HOUR, iso, notificationsOf, startBed, type Bed } from "./support";

/**
 * The four channels end to end: a rule fires and resolves through the real job, and each channel
 * delivers to a real receiver on loopback (allowed by OUTBOUND_ALLOW) or the SMTP sink.
 */
const T0 = Date.UTC(2026, 2, 2, 10, 0);
type Hit = { path: string; headers: Record<string, string>; body: string };
let receiver: ReturnType<typeof Bun.serve>;
const hits: Hit[] = [];
let failNext = 0;
beforeAll(() => {
  receiver = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const headers: Record<string, string> = {};
      req.headers.forEach((value, key) => (headers[key] = value));
      hits.push({ path, headers, body: await req.text() });
      if (path.startsWith("/redirect")) return Response.redirect("http://169.254.169.254/latest/meta-data/", 302);
      if (failNext > 0) {
        failNext--;
        return new Response("busy", { status: 503 });
      }
      return new Response("ok");
    },
  });
});
afterAll(() => receiver.stop(true));
let bed: Bed | null = null;
let sink: SmtpSink | null = null;
afterEach(async () => {
  await bed?.stop();
  await sink?.stop();
  bed = sink = null;
  hits.length = 0;
  failNext = 0;
});
const url = (path: string) => `http://127.0.0.1:${receiver.port}${path}`;

/** Signups: 10 a minute from 10:05 to 10:09 — a threshold rule (sum over 1m > 5) fires at 10:06 and resolves at 10:11. */
async function firingBed(env: Record<string, string> = {}) {
  const b = await startBed({ start: T0, env: { OUTBOUND_ALLOW: "127.0.0.1", ...env } });
  await b.ingest(Array.from({ length: 5 }, (_, i) => ({ metric: "signups", value: 10, at: T0 + (5 + i) * MIN + 1000 })));
  return b;
}
const rule = (channels: unknown[], extra: Record<string, unknown> = {}) => ({ name: "Signups per minute", query: { metric: "signups", aggregation: "sum" }, window: "1m", condition: { op: ">", value: 5 }, channels, ...extra });

describe("alert channels", () => {
  test("webhook: Standard Webhooks signature verified by the standardwebhooks package, one per episode start and end", async () => {
    bed = await firingBed();
    const created = await bed.createRule(rule([{ type: "webhook", url: url("/hook") }]));
    const secret: string = created.channels[0].secret;
    expect(secret).toMatch(/^whsec_/);
    // Shown once: never again.
    const again = (await (await bed.api("GET", `/api/v1/alerts/${created.id}`)).json()) as any;
    expect(JSON.stringify(again)).not.toContain(secret);
    expect(bed.server.deps.db.$client.query("SELECT count(*) AS n FROM alert_channels WHERE secret_sealed LIKE ?").get(`%${secret.slice(6, 20)}%`)).toEqual({ n: 0 });

    await bed.stepTo(T0 + 15 * MIN);
    expect(hits.map((h) => h.path)).toEqual(["/hook", "/hook"]);
    const wh = new Webhook(secret);
    // The verifier refuses timestamps 5 min from its own clock; the receiver's clock reads the (fixed) send time.
    const verify = (h: Hit) => {
      setSystemTime(new Date(Number(h.headers["webhook-timestamp"]) * 1000 + 2000));
      try {
        return wh.verify(h.body, h.headers) as any;
      } finally {
        setSystemTime();
      }
    };
    const bodies = hits.map(verify);
    expect(bodies.map((b) => [b.state, b.at, b.value, b.threshold])).toEqual([
      ["firing", iso(T0 + 6 * MIN), 10, 5],
      ["resolved", iso(T0 + 11 * MIN), 0, 5],
    ]);
    expect(Object.keys(bodies[0]).sort()).toEqual(["alert", "at", "state", "threshold", "url", "value"]);
    expect(bodies[0].alert).toMatchObject({ id: created.id, name: "Signups per minute" });
    expect(bodies[0].url).toBe(`${bed.server.url}/products/${bed.owner.product.id}/alerts/${created.id}?at=${encodeURIComponent(iso(T0 + 6 * MIN))}`);
    // A tampered body fails verification.
    expect(() => verify({ ...hits[0]!, body: hits[0]!.body.replace("firing", "resolved") })).toThrow();
  });

  test("webhook retries with backoff after a 503, with the same webhook-id, and logs each attempt", async () => {
    bed = await firingBed();
    const created = await bed.createRule(rule([{ type: "webhook", url: url("/hook") }]));
    failNext = 2;
    await bed.stepTo(T0 + 6 * MIN); // fires: attempt 1 → 503
    expect(notificationsOf(bed.server.deps, created.id).map((n) => n.status)).toEqual(["retrying"]);
    await bed.stepTo(T0 + 7 * MIN); // 1 min later: attempt 2 → 503, next in 5 min
    await bed.stepTo(T0 + 11 * MIN);
    expect(hits.filter((h) => JSON.parse(h.body).state === "firing")).toHaveLength(2);
    await bed.stepTo(T0 + 12 * MIN); // attempt 3 → 200
    const firing = hits.filter((h) => JSON.parse(h.body).state === "firing");
    expect(firing).toHaveLength(3);
    expect(new Set(firing.map((h) => h.headers["webhook-id"])).size).toBe(1);
    const log = bed.server.deps.db.$client
      .query("SELECT a.attempt, a.ok, a.status_code, a.error FROM delivery_attempts a JOIN alert_notifications n ON n.id = a.alert_notification_id WHERE n.kind = 'started' ORDER BY a.attempt")
      .all();
    expect(log).toEqual([
      { attempt: 1, ok: 0, status_code: 503, error: "Answered 503: busy" },
      { attempt: 2, ok: 0, status_code: 503, error: "Answered 503: busy" },
      { attempt: 3, ok: 1, status_code: 200, error: null },
    ]);
  });

  test("Slack: a Block Kit message with a text fallback, the value, threshold and a link to the chart", async () => {
    bed = await firingBed();
    const created = await bed.createRule(rule([{ type: "slack", url: url("/services/T000/B000/XXXXsecret") }]));
    expect(created.channels[0].url).toBe(`https://127.0.0.1:${receiver.port}/…cret`); // masked: the URL is the credential
    await bed.stepTo(T0 + 7 * MIN);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.path).toBe("/services/T000/B000/XXXXsecret");
    const msg = JSON.parse(hits[0]!.body);
    expect(msg.text).toContain("Signups per minute is firing");
    expect(msg.blocks.map((b: any) => b.type)).toEqual(["header", "section", "section", "actions", "context"]);
    expect(msg.blocks[0].text).toMatchObject({ type: "plain_text" });
    expect(msg.blocks[2].fields.map((f: any) => f.text.split("\n")[0])).toEqual(["*State*", "*Value*", "*Threshold*", "*At*"]);
    expect(msg.blocks[2].fields[1].text).toBe("*Value*\n10");
    expect(msg.blocks[3].elements[0]).toMatchObject({ type: "button", url: expect.stringContaining(`/alerts/${created.id}?at=`) });
  });

  test("email through the SMTP sink, and an hourly digest that gathers the period's notifications in one mail", async () => {
    sink = await startSmtpSink();
    bed = await firingBed({ SMTP_URL: sink.url });
    await bed.createRule(rule([{ type: "email", to: ["ops@example.com"] }]));
    await bed.createRule(rule([{ type: "email", to: ["digest@example.com"], digest: "hourly" }], { name: "Digest rule" }));
    await bed.stepTo(T0 + 7 * MIN);
    const mail = await sink.waitFor((m) => m.subject?.includes("Firing") ?? false);
    expect(mail.to).toMatchObject({ text: "ops@example.com" });
    expect(mail.text).toContain("Value: 10");
    expect(mail.text).toContain(`/alerts/`);
    expect(sink.messages.filter((m) => (m.to as any).text === "digest@example.com")).toHaveLength(0);
    await bed.stepTo(T0 + HOUR); // the hour 10:00–11:00 has ended: one digest with the start and the resolution
    const digest = await sink.waitFor((m) => (m.to as any).text === "digest@example.com");
    expect(digest.subject).toContain("1 fired, 1 resolved");
    await bed.stepTo(T0 + HOUR + 5 * MIN);
    expect(sink.messages.filter((m) => (m.to as any).text === "digest@example.com")).toHaveLength(1);
    expect(sink.messages.filter((m) => (m.to as any).text === "ops@example.com")).toHaveLength(2);
  });

  test("in-app: every member gets it, unread until read", async () => {
    bed = await firingBed();
    await bed.createRule(rule([{ type: "in_app" }]));
    await bed.stepTo(T0 + 11 * MIN);
    const rows = bed.server.deps.db.$client.query("SELECT user_id, title, read_at FROM inbox_notifications ORDER BY created_at").all() as any[];
    expect(rows.map((r) => [r.user_id, r.title, r.read_at])).toEqual([
      [bed.owner.user.id, "Firing: Signups per minute", null],
      [bed.owner.user.id, "Resolved: Signups per minute", null],
    ]);
  });

  test("muted: episodes are kept, nothing is sent; a snooze silences until its end", async () => {
    bed = await firingBed();
    const muted = await bed.createRule(rule([{ type: "webhook", url: url("/muted") }], { muted: true }));
    const snoozed = await bed.createRule(rule([{ type: "webhook", url: url("/snoozed") }], { name: "Snoozed", snoozedUntil: iso(T0 + 8 * MIN) }));
    await bed.stepTo(T0 + 15 * MIN);
    expect(bed.episodes(muted.id)).toHaveLength(1);
    expect(notificationsOf(bed.server.deps, muted.id).map((n) => n.status)).toEqual(["muted", "muted"]);
    // Snoozed at the start (10:06), so its resolution (10:10) is not sent either: no "resolved" without a "firing".
    expect(notificationsOf(bed.server.deps, snoozed.id).map((n) => n.status)).toEqual(["muted", "muted"]);
    expect(hits).toHaveLength(0);
  });
});

describe("the outbound guard on alert channels", () => {
  test("at save: a Slack or webhook URL pointing at loopback, private or metadata addresses is refused with its field", async () => {
    bed = await startBed({ start: T0 }); // no OUTBOUND_ALLOW
    for (const [ch, why] of [
      [{ type: "webhook", url: url("/hook") }, "loopback"],
      [{ type: "slack", url: "http://169.254.169.254/latest" }, "link-local"],
      [{ type: "webhook", url: "http://10.0.0.8/hook" }, "private"],
      [{ type: "webhook", url: "http://localhost:9/hook" }, "localhost resolves to"],
      [{ type: "webhook", url: "http://[::1]/hook" }, "loopback"],
      [{ type: "webhook", url: "http://[fd00::1]/hook" }, "fc00::/7"],
      [{ type: "slack", url: "http://100.64.1.1/" }, "carrier-grade NAT"],
    ] as const) {
      const res = await bed.api("POST", "/api/v1/alerts", rule([{ type: "in_app" }, ch]));
      expect(res.status).toBe(400);
      const body = (await res.json()) as any;
      expect(body.error).toBe("invalid_alert");
      expect(body.errors).toEqual([{ index: null, field: "channels.1.url", message: expect.stringContaining(why) }]);
    }
    expect(bed.server.deps.db.$client.query("SELECT count(*) AS n FROM alerts").get()).toEqual({ n: 0 });
  });

  test("at send: a URL allowed when it was saved but not any more is refused, not retried", async () => {
    bed = await firingBed();
    const created = await bed.createRule(rule([{ type: "webhook", url: url("/hook") }]));
    bed.server.deps.config.outboundAllow = parseOutboundAllow("").allow; // restarted without OUTBOUND_ALLOW
    await bed.stepTo(T0 + 9 * MIN);
    const [n] = notificationsOf(bed.server.deps, created.id);
    expect(n!.status).toBe("failed");
    const attempts = bed.server.deps.db.$client.query("SELECT error FROM delivery_attempts").all() as any[];
    expect(attempts).toHaveLength(1);
    expect(attempts[0].error).toContain("loopback");
    expect(hits).toHaveLength(0);
  });

  test("at send: a redirect (here to the metadata address) is never followed", async () => {
    bed = await firingBed();
    const created = await bed.createRule(rule([{ type: "webhook", url: url("/redirect") }]));
    await bed.stepTo(T0 + 9 * MIN);
    expect(notificationsOf(bed.server.deps, created.id).map((x) => x.status)).toEqual(["failed"]);
    const attempts = bed.server.deps.db.$client.query("SELECT error, status_code FROM delivery_attempts").all() as any[];
    expect(attempts).toEqual([{ error: expect.stringContaining("redirects are not followed"), status_code: 302 }]);
    expect(hits.map((h) => h.path)).toEqual(["/redirect"]);
  });
});
