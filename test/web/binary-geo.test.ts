import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { Database } from "bun:sqlite";
import { tempDir } from "../helpers/server";
import { BUN, freePort, REPO, waitForHttp } from "../helpers/process";
import { countryOf, loadGeo } from "../../src/web/enrich/geo";
import { sendPlausible } from "./support";

/**
 * Countries from the DB-IP Lite data: in development, and from the compiled single binary, where
 * the mmdb file must come from the embedded assets (nothing sits beside the binary).
 */
describe("country from DB-IP Lite", () => {
  test("public addresses get their country; private, loopback and unparsable ones none", async () => {
    await loadGeo();
    expect(countryOf("8.8.8.8")).toBe("US");
    expect(countryOf("141.1.1.1")).toBe("DE");
    expect(countryOf("81.2.69.160")).toBe("GB");
    expect(countryOf("2001:4860:4860::8888")).toMatch(/^[A-Z]{2}$/);
    for (const ip of ["127.0.0.1", "10.1.2.3", "192.168.0.1", "::1", "unknown", ""]) expect(countryOf(ip)).toBeNull();
  });
});

describe("country from the compiled binary", () => {
  const dir = tempDir("litekpi-geo-binary-");
  const binary = join(dir.path, "litekpi");
  const dataDir = join(dir.path, "data");
  let server: Subprocess | null = null;

  beforeAll(() => {
    const build = Bun.spawnSync([BUN, "scripts/build.ts", "--outfile", binary], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`);
  }, 180_000);
  afterAll(async () => {
    server?.kill();
    await server?.exited;
    dir.remove();
  });

  test("a page view from a German address is counted under DE", async () => {
    const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "warn" };
    for (const args of [["users", "create", "--email", "geo@example.com", "--password", "correct horse battery"], ["products", "create", "--owner", "geo@example.com", "--name", "Geo", "--domain", "geo.example"]]) {
      const run = Bun.spawnSync([binary, ...args], { env, stdout: "pipe", stderr: "pipe" });
      expect(run.exitCode).toBe(0);
    }
    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    server = Bun.spawn([binary], { env: { ...env, PORT: String(port), HOST: "127.0.0.1", TRUSTED_PROXIES: "127.0.0.1" }, stdout: "ignore", stderr: "inherit" });
    await waitForHttp(`${url}/healthz`, 20_000);
    const res = await sendPlausible(url, { n: "pageview", u: "https://geo.example/", d: "geo.example" }, { xff: "141.1.1.1" });
    expect(res.status).toBe(202);
    const db = new Database(join(dataDir, "litekpi.db"), { readonly: true });
    try {
      expect(db.query("SELECT country FROM web_sessions").all()).toEqual([{ country: "DE" }]);
    } finally {
      db.close();
    }
  }, 60_000);
});
