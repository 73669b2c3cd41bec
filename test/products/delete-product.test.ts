import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { bearerProbe } from "./bearer-probe";
import { signIn } from "../helpers/sign-in";
import { makeUser } from "../helpers/factories";
import { productTables, rowsOfProduct, seedDataPlane, seedEveryProductTable, seriesIdsOf } from "./seed";
import { addMember } from "../../src/teams/memberships";
import { createInvite } from "../../src/teams/invites";
import { deleteProduct, purgeDeletedProducts, PURGE_GRACE_MS } from "../../src/products/delete-product";
import { planPurge, purgeBatch } from "../../src/writer/purge";
import { fixedClock } from "../../src/lib/clock";

async function tenant(server: TestServer, name: string, points = 50) {
  const t = await makeProductWithKeys(server.deps, { name });
  const db = server.deps.db;
  const teammate = await makeUser(server);
  addMember(db, t.product.id, teammate.id, server.deps.clock.now());
  createInvite(db, { productId: t.product.id, email: `${teammate.id}@example.com`, invitedBy: t.user.id }, server.deps.clock.now());
  const { seriesIds } = seedDataPlane(db.$client, t.product.id, { points });
  seedEveryProductTable(db.$client, t.product.id, t.user.id, seriesIds[0]!);
  return { ...t, teammate, seriesIds: seriesIdsOf(db.$client, t.product.id) };
}

const allZero = (counts: Record<string, number>) => Object.fromEntries(Object.keys(counts).map((k) => [k, 0]));

describe("deleting a product", () => {
  let server: TestServer;
  const clock = fixedClock(Date.now());
  beforeAll(async () => {
    server = await startTestServer({ clock });
  });
  afterAll(() => server.stop());

  test("is immediate for people, and after the purge job no row in any table refers to it", async () => {
    const sqlite = server.deps.db.$client;
    const a = await tenant(server, "Doomed Inc", 5_000); // more points than one purge batch
    const b = await tenant(server, "Survivor Ltd");
    const before = rowsOfProduct(sqlite, a.product.id, a.seriesIds);
    // every table that can refer to a product does, so "none left" below means something
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(12);
    expect(Object.entries(before).filter(([, n]) => n === 0).map(([table]) => table)).toEqual([]);
    const survivor = rowsOfProduct(sqlite, b.product.id, b.seriesIds);

    const owner = signIn(server, a.user.id);
    const member = signIn(server, a.teammate.id);
    const url = `/products/${a.product.id}/delete`;
    const wrong = await owner.post(url, { confirm: "doomed inc" });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain("Type the product&#39;s name exactly");
    expect((await member.post(url, { confirm: "Doomed Inc" })).status).toBe(403);
    expect(rowsOfProduct(sqlite, a.product.id, a.seriesIds)).toEqual(before);

    const res = await owner.post(url, { confirm: "Doomed Inc" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/");

    // For people it is gone at once: every page 404s, the keys are dead, the cascade ran.
    for (const path of ["/settings", "/settings/keys", "/settings/members"]) {
      for (const who of [owner, member]) expect((await who.get(`/products/${a.product.id}${path}`)).status).toBe(404);
    }
    const probe = bearerProbe(server);
    expect(await probe.ingest(a.ingestKey)).toBe(401);
    expect(await probe.query(a.readKey)).toBe(401);
    const cascaded = productTables(sqlite).byProduct.filter((t) =>
      (sqlite.query("SELECT 1 FROM pragma_foreign_key_list(?) WHERE \"table\" = 'products'").all(t) as unknown[]).length,
    );
    expect(cascaded).toEqual(expect.arrayContaining(["memberships", "api_keys", "invites", "dashboards", "widgets", "reports"]));
    for (const t of cascaded) expect({ t, n: rowsOfProduct(sqlite, a.product.id, a.seriesIds)[t] }).toEqual({ t, n: 0 });
    expect(sqlite.query("SELECT product_id FROM product_purges").all()).toEqual([{ product_id: a.product.id }]);

    // The data plane goes in batches (the route started a run; this joins or repeats it).
    await server.deps.scheduler.runJobNow("products.purge");
    expect(rowsOfProduct(sqlite, a.product.id, a.seriesIds)).toEqual(allZero(before));
    // A request that passed the key check just before the delete reaches the write queue late:
    // the flush refuses it (the product is gone), or if it lands, the sweeps of the grace period
    // take it. Either way nothing is left once the purge is done.
    const late = await server.deps.queue
      .submitPoints(a.product.id, [{ metric: "late", value: 1, tsMs: clock.now(), tags: { k: "v" } }])
      .then(() => seriesIdsOf(sqlite, a.product.id), (err: { status?: number }) => (expect(err.status).toBe(404), []));
    clock.advance(PURGE_GRACE_MS);
    await server.deps.scheduler.runJobNow("products.purge");
    expect(rowsOfProduct(sqlite, a.product.id, [...a.seriesIds, ...late])).toEqual(allZero(before));
    expect(sqlite.query("SELECT count(*) AS n FROM product_purges").get()).toEqual({ n: 0 });
    expect(sqlite.query("SELECT count(*) AS n FROM products WHERE id = ?").get(a.product.id)).toEqual({ n: 0 });
    // the other product lost nothing
    expect(rowsOfProduct(sqlite, b.product.id, b.seriesIds)).toEqual(survivor);
    expect(await probe.ingest(b.ingestKey)).not.toBeOneOf([401, 403]);
  }, 60_000);

  test("the purge finds tables added later by itself, WITHOUT ROWID ones too, and resumes after an interruption", async () => {
    const sqlite = server.deps.db.$client;
    sqlite.exec("CREATE TABLE later_feature (id INTEGER PRIMARY KEY, product_id TEXT NOT NULL, note TEXT)");
    sqlite.exec("CREATE TABLE later_series_stat (series_id INTEGER NOT NULL, k TEXT NOT NULL, v REAL, PRIMARY KEY (series_id, k)) WITHOUT ROWID");
    try {
      const a = await tenant(server, "Later A", 300);
      const b = await tenant(server, "Later B", 300);
      for (const t of [a, b]) {
        for (let i = 0; i < 25; i++) {
          sqlite.query("INSERT INTO later_feature (product_id, note) VALUES (?, ?)").run(t.product.id, `n${i}`);
          sqlite.query("INSERT INTO later_series_stat (series_id, k, v) VALUES (?, ?, 1)").run(t.seriesIds[0]!, `k${i}`);
        }
      }
      const survivor = rowsOfProduct(sqlite, b.product.id, b.seriesIds);
      expect(survivor.later_feature).toBeGreaterThanOrEqual(25);
      expect(survivor.later_series_stat).toBeGreaterThanOrEqual(25);

      deleteProduct(server.deps.db, a.product.id, server.deps.clock.now());
      // a run interrupted after a few small batches (a crash, a restart) …
      const plan = planPurge(sqlite);
      for (let i = 0; i < 5; i++) {
        const n = purgeBatch(sqlite, plan, a.product.id, 7); // a table at a time, at most 7 rows of it
        expect(n).toBeGreaterThan(0);
        expect(n).toBeLessThanOrEqual(7);
      }
      // … is finished by the next one, batch by batch
      const done = await purgeDeletedProducts(server.deps, { batchSize: 7 });
      expect(done.products).toBeGreaterThanOrEqual(1);
      expect(done.rows).toBeGreaterThan(300 / 7);
      expect(Object.values(rowsOfProduct(sqlite, a.product.id, a.seriesIds)).every((n) => n === 0)).toBe(true);
      expect(rowsOfProduct(sqlite, b.product.id, b.seriesIds)).toEqual(survivor);
    } finally {
      sqlite.exec("DROP TABLE later_feature");
      sqlite.exec("DROP TABLE later_series_stat");
    }
  }, 60_000);
});
