import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { tempDir } from "../helpers/server";
import { BUN, REPO, freePort, waitForHttp } from "../helpers/process";

describe("the server process", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((f) => f()));

  test("starts, answers /healthz, and exits 0 on SIGTERM leaving an intact database", async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const port = freePort();
    const proc = Bun.spawn([BUN, "src/main.ts"], { cwd: REPO, env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dir.path, LOG_LEVEL: "warn" }, stdout: "ignore", stderr: "pipe" });
    cleanups.push(() => proc.kill("SIGKILL"));
    await waitForHttp(`http://127.0.0.1:${port}/healthz`);
    const t0 = performance.now();
    proc.kill("SIGTERM");
    const code = await proc.exited;
    expect(code).toBe(0);
    expect(performance.now() - t0).toBeLessThan(2000);
    const db = new Database(join(dir.path, "litekpi.db"), { readonly: true });
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    db.close();
  });

  test("a bad PORT stops start-up with a message naming PORT", async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const proc = Bun.spawn([BUN, "src/main.ts"], { cwd: REPO, env: { ...process.env, PORT: "abc", DATA_DIR: dir.path }, stdout: "pipe", stderr: "pipe" });
    const code = await proc.exited;
    expect(code).not.toBe(0);
    expect(await new Response(proc.stderr).text()).toContain("PORT");
  });
});
