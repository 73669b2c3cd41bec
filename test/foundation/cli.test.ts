import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { tempDir } from "../helpers/server";
import { runCliProcess } from "../helpers/process";

describe("command line", () => {
  const dir = tempDir();
  const env = { DATA_DIR: dir.path };
  afterAll(() => dir.remove());

  test("users create → products create → keys create → products list → keys revoke", async () => {
    const user = await runCliProcess(["users", "create", "--email", "Owner@Example.com", "--password", "long enough pw"], env);
    expect(user.code).toBe(0);
    expect(user.stdout.trim()).toMatch(/^[a-z0-9]+$/);

    const product = await runCliProcess(["products", "create", "--owner", "owner@example.com", "--name", "Shop", "--timezone", "Europe/Berlin"], env);
    expect(product.code).toBe(0);
    const [productId, key] = product.stdout.trim().split("\n");
    expect(key).toMatch(/^lk_[a-z0-9]{52}$/);

    const json = await runCliProcess(["keys", "create", "--product", productId!, "--scope", "read", "--name", "Grafana", "--json"], env);
    expect(json.code).toBe(0);
    const created = JSON.parse(json.stdout);
    expect(created).toMatchObject({ scope: "read", name: "Grafana", productId });
    expect(created.key).toStartWith("lk_");

    const list = await runCliProcess(["products", "list", "--json"], env);
    expect(JSON.parse(list.stdout).products).toEqual([expect.objectContaining({ id: productId, name: "Shop", timezone: "Europe/Berlin", owner: "owner@example.com" })]);

    const revoked = await runCliProcess(["keys", "revoke", "--id", created.id, "--json"], env);
    expect(revoked.code).toBe(0);
    const db = new Database(join(dir.path, "litekpi.db"), { readonly: true });
    const row = db.query("SELECT revoked_at, key_hash FROM api_keys WHERE id = ?").get(created.id) as { revoked_at: number; key_hash: string };
    expect(row.revoked_at).toBeGreaterThan(0);
    // only the hash is stored, never the key
    expect(row.key_hash).not.toContain(created.key);
    expect(JSON.stringify(db.query("SELECT * FROM api_keys").all())).not.toContain(created.key);
    db.close();
  });

  test.each([
    ["unknown owner", ["products", "create", "--owner", "nobody@example.com", "--name", "X"], 1, "nobody@example.com"],
    ["duplicate email", ["users", "create", "--email", "owner@example.com", "--password", "long enough pw"], 1, "already exists"],
    ["bad scope", ["keys", "create", "--product", "nope", "--scope", "admin"], 1, "ingest, read or manage"],
    ["short password", ["users", "create", "--email", "x@example.com", "--password", "short"], 1, "at least 8"],
    ["bad time zone", ["products", "create", "--owner", "owner@example.com", "--name", "X", "--timezone", "Mars/Olympus"], 1, "time zone"],
    ["unknown command", ["frobnicate"], 2, "unknown command"],
    ["missing option", ["keys", "create", "--product", "x"], 2, "--scope"],
    ["unknown option", ["products", "list", "--colour"], 2, "colour"],
    ["revoking an unknown key", ["keys", "revoke", "--id", "nope"], 1, "No such key"],
  ])("%s exits with its code and a message on stderr", async (_name, args, code, message) => {
    const r = await runCliProcess(args as string[], env);
    expect(r.code).toBe(code as number);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message as string);
  });
});
