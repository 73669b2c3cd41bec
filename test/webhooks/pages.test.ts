import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startBed, startReceiver, type Bed } from "./support";
import { makeUser } from "../helpers/factories";
import { sessionCookie } from "../helpers/sign-in";
import { addMember } from "../../src/teams/memberships";
import { unescapeHtml } from "../helpers/html";

/**
 * Settings → Webhooks and the delivery log as a signed-in person uses them (cookie forms, the
 * origin check): add an endpoint (secret shown once), send an example, read the log, redeliver,
 * rotate, switch off and on, delete; a cross-site form changes nothing; a member looks but cannot
 * change; another tenant gets 404.
 */
const T0 = Date.UTC(2026, 6, 1, 8);
let bed: Bed;
let rx: ReturnType<typeof startReceiver>;
beforeAll(async () => {
  bed = await startBed({ start: T0 });
  rx = startReceiver({ now: () => bed.clock.now() });
});
afterAll(async () => {
  await bed.stop();
  rx.stop();
});

function browser(userId: string, origin = bed.server.url) {
  const cookie = sessionCookie(bed.server.deps, userId);
  return {
    get: (path: string) => bed.server.fetch(path, { headers: { Cookie: cookie } }),
    post: (path: string, form: [string, string][] = []) =>
      bed.server.fetch(path, { method: "POST", headers: { Cookie: cookie, Origin: origin, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() }),
  };
}
const endpoints = () => bed.server.deps.db.$client.query("SELECT id, url, event_types, enabled FROM webhooks").all() as { id: string; url: string; event_types: string; enabled: number }[];

describe("webhooks settings page", () => {
  test("add, example, log, redeliver, rotate, switch off and on, delete", async () => {
    const owner = browser(bed.owner.user.id);
    const base = `/products/${bed.owner.product.id}/settings/webhooks`;
    const empty = await (await owner.get(base)).text();
    expect(empty).toContain("No webhooks yet.");
    expect(empty).toContain('value="goal.completed"');

    const refused = await owner.post(base, [["url", "http://10.1.2.3/hook"], ["event_types", "goal.completed"]]);
    expect(refused.status).toBe(422);
    const refusedHtml = await refused.text();
    expect(refusedHtml).toMatch(/id="webhook-url"[^>]*aria-invalid="true"/);
    expect(refusedHtml).toContain("private");
    expect(await (await owner.post(base, [["url", rx.url]])).text()).toContain("pick at least one event type");
    expect(endpoints()).toEqual([]);

    const added = await owner.post(base, [["url", rx.url], ["event_types", "goal.completed"], ["event_types", "purchase.completed"], ["description", "Zapier"]]);
    expect(added.status).toBe(201);
    expect(added.headers.get("Cache-Control")).toContain("no-store");
    const addedHtml = await added.text();
    const secret = /data-testid="webhook-secret"[^>]*>([^<]+)</.exec(addedHtml)?.[1]?.trim();
    expect(secret).toMatch(/^whsec_/);
    rx.secrets.push(unescapeHtml(secret!));
    const [ep] = endpoints();
    expect(JSON.parse(ep!.event_types)).toEqual(["goal.completed", "purchase.completed"]);
    const later = await (await owner.get(base)).text();
    expect(later).not.toContain(secret!);
    expect(unescapeHtml(later)).toContain(`whsec_…${unescapeHtml(secret!).slice(-4)}`);

    const example = await owner.post(`${base}/${ep!.id}/test`, [["event_type", "purchase.completed"]]);
    expect(example.status).toBe(200);
    expect(await example.text()).toContain("Example purchase.completed delivered (HTTP 200).");
    expect(rx.got).toHaveLength(1);
    expect(rx.got[0]!.verified).toHaveLength(1);

    const log = await (await owner.get(`${base}/${ep!.id}`)).text();
    expect(log).toContain('data-testid="delivery"');
    expect(log).toContain(rx.got[0]!.id);
    expect(log).toContain("HTTP 200");
    const redelivered = await owner.post(`${base}/${ep!.id}/deliveries/${rx.got[0]!.id}/redeliver`);
    expect(await redelivered.text()).toContain("Delivered again (HTTP 200).");
    expect(rx.got.map((m) => m.id)).toEqual([rx.got[0]!.id, rx.got[0]!.id]);

    const rotated = await (await owner.post(`${base}/${ep!.id}/rotate`)).text();
    const next = /data-testid="webhook-secret"[^>]*>([^<]+)</.exec(rotated)?.[1]?.trim();
    expect(next).toMatch(/^whsec_/);
    expect(next).not.toBe(secret);

    expect((await owner.post(`${base}/${ep!.id}/disable`)).status).toBe(303);
    expect(endpoints()[0]!.enabled).toBe(0);
    expect(await (await owner.get(base)).text()).toContain("Disabled");
    expect((await owner.post(`${base}/${ep!.id}/enable`)).status).toBe(303);
    expect(endpoints()[0]!.enabled).toBe(1);

    expect((await owner.post(`${base}/${ep!.id}/delete`)).status).toBe(303);
    expect(endpoints()).toEqual([]);
  });

  test("a cross-site form changes nothing; a member sees but cannot change; another tenant gets 404", async () => {
    const base = `/products/${bed.owner.product.id}/settings/webhooks`;
    const evil = browser(bed.owner.user.id, "https://evil.example");
    expect((await evil.post(base, [["url", rx.url], ["event_types", "goal.completed"]])).status).toBe(403);
    expect(endpoints()).toEqual([]);

    const owner = browser(bed.owner.user.id);
    expect((await owner.post(base, [["url", rx.url], ["event_types", "visitor.new"]])).status).toBe(201);
    const [ep] = endpoints();
    const member = await makeUser(bed.server);
    addMember(bed.server.deps.db, bed.owner.product.id, member.id, T0);
    const m = browser(member.id);
    const html = await (await m.get(base)).text();
    expect(html).toContain(rx.url);
    expect(html).not.toContain("Add a webhook");
    expect((await m.post(`${base}/${ep!.id}/delete`)).status).toBe(403);
    expect((await m.get(`${base}/${ep!.id}`)).status).toBe(200);

    const stranger = browser((await makeUser(bed.server)).id);
    expect((await stranger.get(base)).status).toBe(404);
    expect((await stranger.post(`${base}/${ep!.id}/delete`)).status).toBe(404);
    expect(endpoints()).toHaveLength(1);
  });
});
