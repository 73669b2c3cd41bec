import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { chdbAvailable, ChdbMissingError, loadChdb } from "../../src/storage/clickhouse/chdb";
import { loadChdb as benchChdb } from "../../bench/lib/chdb";
import { tempDir } from "../helpers/server";

/**
 * chdb is found one way (src/storage/clickhouse/chdb.ts): the checkout's node_modules, else the
 * folders it is told of, which is how the bench finds its bench/.peers install. The folder here
 * holds a small package named chdb (the real one is ~540 MB and optional), which is enough to
 * see where the resolution looks.
 */
describe("the chdb loader", () => {
  const installedHere = chdbAvailable();

  test("a folder given as a fallback is searched like an `npm install --prefix` of it", () => {
    const dir = tempDir();
    try {
      const pkg = join(dir.path, "node_modules/chdb");
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "chdb", version: "0.0.0-test", main: "index.js" }));
      writeFileSync(join(pkg, "index.js"), "exports.Session = class Session { constructor(path) { this.path = path; } query() { return 'from the fallback'; } };");
      const mod = loadChdb([join(dir.path, "nowhere"), dir.path]);
      // The checkout's own install, when there is one, comes first.
      if (installedHere) expect(mod).toBe(loadChdb());
      else expect((new mod.Session("/tmp/x") as unknown as { query(): string }).query()).toBe("from the fallback");
    } finally {
      dir.remove();
    }
  });

  test.skipIf(installedHere)("not installed anywhere: ChdbMissingError saying how to install it; the bench gets null without installing", async () => {
    const empty = tempDir();
    expect(() => loadChdb([empty.path])).toThrow(ChdbMissingError);
    empty.remove();
    expect(() => loadChdb()).toThrow("npm install --no-save chdb@3.4.0");
    if (!existsSync(resolve(import.meta.dir, "../../bench/.peers/node_modules/chdb"))) expect(await benchChdb(false)).toBeNull();
  });
});
