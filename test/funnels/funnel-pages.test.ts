import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { signIn } from "../helpers/sign-in";
import { post } from "../ingest/ingest-helpers";

/** The Goals & funnels pages: forms that refuse with the field beside it, and the same numbers as the API. */
describe("goals and funnels pages", () => {
  let server: TestServer;
  let p: Awaited<ReturnType<typeof makeProductWithKeys>>;
  let other: Awaited<ReturnType<typeof makeProductWithKeys>>;
  const now = Date.UTC(2026, 2, 20, 12);

  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => now } });
    p = await makeProductWithKeys(server.deps);
    other = await makeProductWithKeys(server.deps);
    const events = [];
    for (let i = 0; i < 10; i++) {
      events.push({ event: "signup", timestamp: new Date(now - 86_400_000 * 2).toISOString(), context: { user_id: `u${i}` } });
      if (i < 6) events.push({ event: "created_project", timestamp: new Date(now - 86_400_000 * 2 + 60_000 * (i + 1)).toISOString(), context: { user_id: `u${i}` } });
      if (i < 3) events.push({ event: "invited_teammate", timestamp: new Date(now - 86_400_000).toISOString(), context: { user_id: `u${i}` } });
    }
    expect((await post(server, "/api/v1/events", JSON.stringify(events), { key: p.ingestKey })).status).toBe(200);
  });
  afterAll(() => server.stop());

  test("define a goal and a funnel; the page shows the API's numbers", async () => {
    const client = signIn(server, p.user.id);
    const base = `/products/${p.product.id}/funnels`;

    const badGoal = await client.post(`${base}/goals`, { name: "Signup", kind: "page", value: "no-slash" });
    expect(badGoal.status).toBe(422);
    expect(await badGoal.text()).toContain("page starts with /");

    expect((await client.post(`${base}/goals`, { name: "Signed up", kind: "event", value: "signup" })).status).toBe(303);

    const badFunnel = await client.post(base, { name: "Onboarding", step_kind_1: "goal", step_value_1: "Signed up", step_kind_3: "goal", step_value_3: "Nope" });
    expect(badFunnel.status).toBe(422);
    const badHtml = await badFunnel.text();
    expect(badHtml).toContain("No goal named &quot;Nope&quot;");
    expect(badHtml).toMatch(/id="step-value-3"[^>]*aria-invalid="true"/);

    const made = await client.post(base, { name: "Onboarding", window: "7d", by: "user", step_kind_1: "goal", step_value_1: "Signed up", step_kind_2: "event", step_value_2: "created_project", step_kind_4: "event", step_value_4: "invited_teammate" });
    expect(made.status).toBe(303);
    const at = made.headers.get("Location")!;
    const html = await (await client.get(`${at}?range=7d`)).text();

    const api = await server.fetch("/api/v1/insights/funnel", {
      method: "POST",
      headers: { Authorization: `Bearer ${p.readKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ steps: [{ goal: "Signed up" }, { event: "created_project" }, { event: "invited_teammate" }], by: "user", date_range: "7d" }),
    });
    const answer = await api.json();
    expect(answer.steps.map((s: { visitors: number }) => s.visitors)).toEqual([10, 6, 3]);
    const shown = [...html.matchAll(/data-testid="funnel-visitors">([\d,]+) users/g)].map((m) => Number(m[1]!.replace(/,/g, "")));
    expect(shown).toEqual([10, 6, 3]);
    expect(html).toContain("30% of step 1");
    expect(html).toContain("median 3m 30s from step 1");

    // Another tenant's member gets 404 for the page and the funnel.
    const stranger = signIn(server, other.user.id);
    expect((await stranger.get(base)).status).toBe(404);
    expect((await stranger.get(at)).status).toBe(404);
  });
});
