import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { signIn, type Client } from "../helpers/sign-in";
import { createDashboard } from "../../src/dashboards/dashboards";
import { getProduct, updateProduct } from "../../src/products/products";
import { listKeys } from "../../src/products/keys";
import { listWidgets } from "../../src/dashboards/widgets";
import { findUserByEmail } from "../../src/auth/users";

/**
 * Issue 13 item 5: every name a person types (product, dashboard, widget title, key, their own
 * name) refuses control characters — a product name with CR/LF reached a mail Subject raw — with
 * the message beside the field, and nothing is stored.
 */
const REFUSED = "no line breaks, tabs or control characters";
const BAD_NAMES = ["Acme\r\nBcc: victim@example.com", "Tab\there", "Bell\u0007", "C1\u0085line"];

describe("names refuse control characters", () => {
  let server: TestServer;
  let made: Awaited<ReturnType<typeof makeProductWithKeys>>;
  let client: Client;
  let dashboardId: string;
  beforeAll(async () => {
    server = await startTestServer();
    made = await makeProductWithKeys(server.deps, { name: "Acme" });
    client = signIn(server, made.user.id);
    dashboardId = createDashboard(server.deps.db, made.product.id, { name: "Overview" }, server.deps.clock.now()).id;
  });
  afterAll(() => server.stop());

  const P = () => `/products/${made.product.id}`;
  const D = () => `${P()}/dashboards/${dashboardId}`;
  const widgetForm = (title: string) => ({ kind: "number", title, metric: "signups", aggregation: "sum", range_mode: "last", range_n: "7", range_unit: "d" });
  const scenarios: { name: string; post: (bad: string) => Promise<Response>; htmx?: boolean; unchanged: () => unknown }[] = [
    { name: "new product", post: (bad) => client.post("/products", { name: bad, timezone: "UTC" }), unchanged: () => getProductCount() },
    { name: "product rename", post: (bad) => client.post(`${P()}/settings`, { name: bad, timezone: "UTC" }), unchanged: () => getProduct(server.deps.db, made.product.id)?.name },
    { name: "new dashboard", post: (bad) => client.post(`${P()}/dashboards`, { name: bad }), unchanged: () => dashboardNames() },
    { name: "dashboard rename", post: (bad) => client.post(`${D()}/rename`, { name: bad }, { "HX-Request": "true" }), unchanged: () => dashboardNames() },
    { name: "widget title", post: (bad) => client.post(`${D()}/widgets`, widgetForm(bad), { "HX-Request": "true" }), unchanged: () => listWidgets(server.deps.db, made.product.id, dashboardId).length },
    { name: "key name", post: (bad) => client.post(`${P()}/settings/keys`, { name: bad, scope: "read" }), unchanged: () => listKeys(server.deps.db, made.product.id).length },
  ];
  const getProductCount = () => server.deps.db.$client.query("SELECT count(*) AS n FROM products").get();
  const dashboardNames = () => server.deps.db.$client.query("SELECT name FROM dashboards ORDER BY name").all();

  for (const s of scenarios) {
    test(`${s.name}: 422 with the message beside the field, nothing stored`, async () => {
      const before = JSON.stringify(s.unchanged());
      for (const bad of BAD_NAMES) {
        const res = await s.post(bad);
        const html = await res.text();
        expect(res.status, `${s.name} ${JSON.stringify(bad)}`).toBe(422);
        expect(html).toContain(REFUSED);
        expect(JSON.stringify(s.unchanged())).toBe(before);
      }
    });
  }

  test("a lone surrogate (which a form cannot carry, but the CLI and JSON can) is refused in the domain", () => {
    expect(() => updateProduct(server.deps.db, made.product.id, { name: "Acme \ud800", timezone: "UTC" }, server.deps.clock.now())).toThrow(/lone surrogate/);
    expect(getProduct(server.deps.db, made.product.id)?.name).toBe("Acme");
  });

  test("registration refuses a name with CR/LF (it would reach invite mail subjects)", async () => {
    const email = `crlf-${Date.now()}@example.com`;
    const res = await server.fetch("/register", {
      method: "POST",
      headers: { Origin: server.url, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email, password: "correct horse battery", name: "Eve\r\nSubject: hi" }).toString(),
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain(REFUSED);
    expect(findUserByEmail(server.deps.db, email)).toBeUndefined();
  });
});
