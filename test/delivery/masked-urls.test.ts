import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { signIn } from "../helpers/sign-in";
import { unescapeHtml } from "../helpers/html";
import { startBed as startWebhookBed, type Bed as WebhookBed } from "../webhooks/support";
import { MIN, startBed as startAlertBed, type Bed as AlertBed } from "../alerts/support";

/**
 * Endpoint URLs that carry a credential (a token in the query, user:password@) are shown masked
 * everywhere a person or an API client reads them — the webhooks API and settings pages, the
 * alerts API, the rule's form and page and its delivery log — while deliveries still go to the
 * full URL, and a masked URL given back unchanged (GET → PATCH, the edit form saved as shown)
 * keeps the stored one. A real receiver on loopback records the URL each request came to.
 */
const T0 = Date.UTC(2026, 2, 2, 10, 0);
const got: { path: string; search: string }[] = [];
let receiver: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  receiver = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const u = new URL(req.url);
      got.push({ path: u.pathname, search: u.search });
      return new Response("ok");
    },
  });
});
afterAll(() => receiver.stop(true));
const at = (path: string) => `http://127.0.0.1:${receiver.port}${path}`;

describe("product webhooks", () => {
  const TOKEN = "tok_Wh00kS3cret";
  let bed: WebhookBed;
  beforeAll(async () => {
    bed = await startWebhookBed({ start: T0 });
  });
  afterAll(() => bed.stop());

  test("API, settings page and delivery log show the URL masked; the example goes to the full URL", async () => {
    const full = at(`/hook?token=${TOKEN}&v=2`);
    const masked = at("/hook?token=…&v=…");
    const made = await bed.addWebhook(full, ["goal.completed"]);
    expect(made.url).toBe(masked);
    const one = await bed.api("GET", `/api/v1/webhooks/${made.id}`);
    const list = await bed.api("GET", "/api/v1/webhooks");
    for (const text of [await one.text(), await list.text()]) {
      expect(text).toContain(JSON.stringify(masked).slice(1, -1));
      expect(text).not.toContain(TOKEN);
    }
    const test = (await (await bed.api("POST", `/api/v1/webhooks/${made.id}/test`, { event_type: "goal.completed" })).json()) as any;
    expect(test).toMatchObject({ ok: true, status_code: 200 });
    expect(got.at(-1)).toEqual({ path: "/hook", search: `?token=${TOKEN}&v=2` });

    const owner = signIn(bed.server, bed.owner.user.id);
    const base = `/products/${bed.owner.product.id}/settings/webhooks`;
    for (const path of [base, `${base}/${made.id}`]) {
      const html = unescapeHtml(await (await owner.get(path)).text());
      expect([path, html.includes(masked), html.includes(TOKEN)]).toEqual([path, true, false]);
    }
    const deliveries = await (await bed.api("GET", `/api/v1/webhooks/${made.id}/deliveries`)).text();
    expect(deliveries).not.toContain(TOKEN);
  });

  test("PATCH with the masked URL keeps the stored one; a new URL replaces it; a masked URL is never saved as new", async () => {
    const made = await bed.addWebhook(at(`/keep?token=${TOKEN}`), ["goal.completed"]);
    const stored = () => (bed.server.deps.db.$client.query("SELECT url FROM webhooks WHERE id = ?").get(made.id) as { url: string }).url;
    const shown = (await (await bed.api("GET", `/api/v1/webhooks/${made.id}`)).json()) as any;
    const patched = await bed.api("PATCH", `/api/v1/webhooks/${made.id}`, { url: shown.url, description: "renamed" });
    expect(patched.status).toBe(200);
    expect(stored()).toBe(at(`/keep?token=${TOKEN}`));
    await bed.api("PATCH", `/api/v1/webhooks/${made.id}`, { url: at("/moved?token=other") });
    expect(stored()).toBe(at("/moved?token=other"));
    const refused = await bed.api("POST", "/api/v1/webhooks", { url: shown.url, event_types: ["goal.completed"] });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).field).toBe("url");
  });

  test("a stored URL with user:password@ (saved before the guard refused them) is shown without them", async () => {
    const made = await bed.addWebhook(at("/legacy"), ["goal.completed"]);
    bed.server.deps.db.$client.query("UPDATE webhooks SET url = ? WHERE id = ?").run(`http://bob:hunter2@127.0.0.1:${receiver.port}/legacy`, made.id);
    const shown = (await (await bed.api("GET", `/api/v1/webhooks/${made.id}`)).json()) as any;
    expect(shown.url).toBe(`http://…@127.0.0.1:${receiver.port}/legacy`);
  });
});

describe("alert channels", () => {
  const KEY = "k3y_Al3rtS3cret";
  const SLACK_PATH = "/services/T0001/B0002/SlackS3cretPath";
  let bed: AlertBed;
  beforeAll(async () => {
    bed = await startAlertBed({ start: T0, env: { OUTBOUND_ALLOW: "127.0.0.1" } });
    await bed.ingest(Array.from({ length: 5 }, (_, i) => ({ metric: "signups", value: 10, at: T0 + (5 + i) * MIN + 1000 })));
  });
  afterAll(() => bed.stop());

  test("API, form, page and delivery log mask the URLs; saving them as shown keeps the channels; deliveries go to the full URLs", async () => {
    const hookUrl = at(`/alert?key=${KEY}`);
    const created = await bed.createRule({
      name: "Signups per minute",
      query: { metric: "signups", aggregation: "sum" },
      window: "1m",
      condition: { op: ">", value: 5 },
      channels: [{ type: "webhook", url: hookUrl }, { type: "slack", url: at(SLACK_PATH) }],
    });
    expect(created.channels.map((c: any) => c.url)).toEqual([at("/alert?key=…"), `https://127.0.0.1:${receiver.port}/…Path`]);
    const channelRows = () => bed.server.deps.db.$client.query("SELECT id, config, secret_sealed FROM alert_channels WHERE rule_id = ? ORDER BY id").all(created.id);
    const before = channelRows();

    // GET → PATCH of the channels as shown changes nothing.
    const shown = (await (await bed.api("GET", `/api/v1/alerts/${created.id}`)).json()) as any;
    expect(JSON.stringify(shown)).not.toContain(KEY);
    const patch = await bed.api("PATCH", `/api/v1/alerts/${created.id}`, { channels: shown.channels.map(({ id: _id, ...c }: any) => c) });
    expect(patch.status).toBe(200);
    expect(channelRows()).toEqual(before);
    // So does giving the Slack URL again in full (its id, and so its delivery log, stay).
    const again = await bed.api("PATCH", `/api/v1/alerts/${created.id}`, { channels: [{ type: "webhook", url: shown.channels[0].url }, { type: "slack", url: at(SLACK_PATH) }] });
    expect(again.status).toBe(200);
    expect(channelRows()).toEqual(before);

    // The edit form shows them masked, and saving it as shown keeps them too.
    const owner = signIn(bed.server, bed.owner.user.id);
    const ruleUrl = `/products/${bed.owner.product.id}/alerts/${created.id}`;
    const form = unescapeHtml(await (await owner.get(`${ruleUrl}/edit`)).text());
    expect(form).not.toContain(KEY);
    expect(form).not.toContain("SlackS3cret");
    const field = (name: string) => new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(form)?.[1] ?? "";
    const saved = await owner.post(ruleUrl, {
      name: "Signups per minute", metric: "signups", aggregation: "sum", window: "1m", kind: "threshold", op: ">", value: "5",
      webhook_url: field("webhook_url"), slack_url: field("slack_url"),
    });
    expect(saved.status).toBe(303);
    expect(channelRows()).toEqual(before);

    await bed.stepTo(T0 + 15 * MIN); // fires at 10:06, resolves at 10:11
    expect(got.filter((g) => g.path === "/alert").map((g) => g.search)).toEqual([`?key=${KEY}`, `?key=${KEY}`]);
    expect(got.filter((g) => g.path === SLACK_PATH)).toHaveLength(2);

    const page = unescapeHtml(await (await owner.get(ruleUrl)).text());
    expect(page).toContain(at("/alert?key=…"));
    expect(page).toContain("HTTP 200");
    expect(page).not.toContain(KEY);
    expect(page).not.toContain("SlackS3cret");
    const log = (await (await bed.api("GET", `/api/v1/alerts/${created.id}/deliveries`)).json()) as any;
    expect(log.deliveries).toHaveLength(4);
    expect(log.deliveries.every((d: any) => d.status === "sent" && d.attempts.length === 1 && d.attempts[0].status_code === 200 && d.attempts[0].response === "ok")).toBe(true);
    expect(JSON.stringify(log)).not.toContain(KEY);
    expect(JSON.stringify(log)).not.toContain("SlackS3cret");
  });
});
