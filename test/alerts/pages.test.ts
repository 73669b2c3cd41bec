import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { signIn, type Client } from "../helpers/sign-in";
import { makeUser } from "../helpers/factories";
import { unescapeHtml } from "../helpers/html";
import { createDashboard } from "../../src/dashboards/dashboards";
import { addWidget } from "../../src/dashboards/widgets";
import { MIN, startBed, type Bed } from "./support";

/**
 * The alerts pages as a signed-in member uses them: list, form (with field errors and the
 * backtest preview), "Alert on this" from a widget, the rule page (episodes, delivery log, mute,
 * acknowledge), and the bell with its unread count.
 */
const T0 = Date.UTC(2026, 2, 2, 10, 0);
let bed: Bed;
let me: Client;
let base: string;
beforeAll(async () => {
  bed = await startBed({ start: T0, env: { OUTBOUND_ALLOW: "127.0.0.1" } });
  me = signIn(bed.server, bed.owner.user.id);
  base = `/products/${bed.owner.product.id}/alerts`;
  await bed.ingest(Array.from({ length: 5 }, (_, i) => ({ metric: "signups", value: 10, at: T0 + (5 + i) * MIN + 1000, tags: { plan: "pro" } })));
});
afterAll(() => bed.stop());
const form = (over: Record<string, string> = {}) => ({ name: "Signups per minute", metric: "signups", aggregation: "sum", window: "1m", kind: "threshold", op: ">", value: "5", in_app: "on", ...over });

describe("alerts pages", () => {
  test("an empty list says what to do; the header has Alerts and the bell", async () => {
    const html = await (await me.get(base)).text();
    expect(html).toContain('data-testid="alerts-empty"');
    expect(html).toContain(`href="${base}"`);
    expect(html).toContain('data-testid="bell"');
    expect(html).not.toContain('data-testid="bell-count"');
  });

  test("the form shows each problem beside its field and saves nothing", async () => {
    const res = await me.post(base, form({ metric: "", window: "soon", value: "" }));
    expect(res.status).toBe(422);
    const html = unescapeHtml(await res.text());
    expect(html).toMatch(/id="f-metric-error"[^>]*>metric is required/);
    expect(html).toMatch(/id="f-window-error"[^>]*>window is a duration/);
    expect(html).toMatch(/id="f-value-error"[^>]*>value is a number/);
    expect(bed.server.deps.db.$client.query("SELECT count(*) AS n FROM alerts").get()).toEqual({ n: 0 });
  });

  test("a Slack URL to a private address is refused at save, beside the Slack field", async () => {
    const res = await me.post(base, form({ slack_url: "http://192.168.1.20/hook" }));
    expect(res.status).toBe(422);
    expect(unescapeHtml(await res.text())).toMatch(/id="f-slack_url-error"[^>]*>This URL points at a private network/);
  });

  test("the backtest preview answers how often the rule would have fired", async () => {
    const res = await me.post(`${base}/preview`, form(), { "HX-Request": "true" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/Would have fired <strong data-testid="backtest-count">0<\/strong> times/);
    expect(html).toContain("<svg");
  });

  test("create → the rule page; it fires; the bell counts; reading clears it; episode and delivery log shown", async () => {
    const created = await me.post(base, form());
    expect(created.status).toBe(303);
    const ruleUrl = created.headers.get("location")!;
    expect(ruleUrl).toMatch(new RegExp(`^${base}/\\w+$`));
    await bed.stepTo(T0 + 15 * MIN);
    const page = await (await me.get(ruleUrl)).text();
    expect(page).toContain('data-testid="episodes"');
    expect(page).toContain("resolved");
    expect(page).toContain('data-testid="deliveries"');
    expect(page).toContain("In-app");
    const list = await (await me.get(base)).text();
    expect(list).toContain("Signups per minute");
    expect(list).toMatch(/data-testid="bell-count"[^>]*>2</);
    const inbox = await (await me.get("/notifications")).text();
    const first = /href="\/notifications\/(\w+)"/.exec(inbox)![1];
    const open = await me.get(`/notifications/${first}`);
    expect(open.status).toBe(303);
    expect(open.headers.get("location")).toStartWith(`${ruleUrl}?at=`);
    expect(await (await me.get(base)).text()).toMatch(/data-testid="bell-count"[^>]*>1</);
    await me.post("/notifications/read");
    expect(await (await me.get(base)).text()).not.toContain('data-testid="bell-count"');
    // The link of a notification marks its episode.
    expect(await (await me.get(open.headers.get("location")!)).text()).toContain('class="is-highlighted"');
  });

  test("a webhook's secret is shown once, on the page after saving", async () => {
    const res = await me.post(base, form({ name: "Hooked", webhook_url: "http://127.0.0.1:9/hook", in_app: "" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    const secret = /whsec_[A-Za-z0-9+/=]+/.exec(html)![0];
    const id = /\/alerts\/(\w+)\/edit/.exec(html)![1];
    expect(await (await me.get(`${base}/${id}`)).text()).not.toContain(secret);
  });

  test("mute and unmute; edit keeps the values", async () => {
    const res = await me.post(base, form({ name: "To mute" }));
    const url = res.headers.get("location")!;
    await me.post(`${url}/mute`);
    expect(await (await me.get(url)).text()).toContain(">Muted<");
    await me.post(`${url}/unmute`);
    expect(await (await me.get(url)).text()).not.toContain(">Muted<");
    const edit = unescapeHtml(await (await me.get(`${url}/edit`)).text());
    expect(edit).toContain('value="To mute"');
    expect(edit).toMatch(/<option value="threshold" selected/);
    const saved = await me.post(url, form({ name: "Renamed", value: "7" }));
    expect(saved.status).toBe(303);
    expect(await (await me.get(url)).text()).toContain("Renamed");
  });

  test("“Alert on this” on a widget opens the form filled in with its query", async () => {
    const dash = createDashboard(bed.server.deps.db, bed.owner.product.id, { name: "Main" }, T0);
    const widget = addWidget(
      bed.server.deps.db,
      bed.owner.product.id,
      dash.id,
      { kind: "line", title: "Pro signups", config: { metric: "signups", aggregation: "sum", granularity: "day", range: { kind: "last", n: 7, unit: "d" }, filters: { plan: "pro" }, groupBy: [], compare: true, size: "half" } },
      T0,
    );
    const card = await (await me.get(`/products/${bed.owner.product.id}/dashboards/${dash.id}/widgets/${widget.id}`, { "HX-Request": "true" })).text();
    const link = unescapeHtml(/href="([^"]+)" data-testid="alert-on-this"/.exec(card)![1]!);
    const go = await me.get(link);
    expect(go.status).toBe(303);
    const page = unescapeHtml(await (await me.get(go.headers.get("location")!)).text());
    expect(page).toContain('value="Pro signups"');
    expect(page).toContain('value="signups"');
    expect(page).toMatch(/<textarea[^>]*name="filters"[^>]*>plan=pro<\/textarea>/);
  });

  test("another product's member gets 404 for every alerts page", async () => {
    const stranger = signIn(bed.server, (await makeUser(bed.server)).id);
    const any = (bed.server.deps.db.$client.query("SELECT id FROM alerts LIMIT 1").get() as { id: string }).id;
    for (const path of [base, `${base}/new`, `${base}/${any}`, `${base}/${any}/edit`]) expect([path, (await stranger.get(path)).status]).toEqual([path, 404]);
    expect((await stranger.post(`${base}/${any}/delete`)).status).toBe(404);
  });
});
