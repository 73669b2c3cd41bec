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

  test("a DATA_DIR that cannot hold the database stops start-up with one line naming DATA_DIR and the cause", async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const cases: { name: string; dataDir: string; cause: RegExp }[] = [];
    // A file where the directory should be: nothing can be created under it.
    const file = `${dir.path}/not-a-dir`;
    await Bun.write(file, "x");
    cases.push({ name: "a file", dataDir: `${file}/data`, cause: /not a directory|ENOTDIR/i });
    // A read-only file system (needs root for the mount; CI runs as root).
    const ro = `${dir.path}/ro`;
    await Bun.write(`${ro}/.keep`, "");
    if (process.getuid?.() === 0 && Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", ro]).exitCode === 0) {
      cleanups.unshift(() => Bun.spawnSync(["umount", "-l", ro])); // before the temp dir goes
      cases.push({ name: "read-only", dataDir: ro, cause: /read-only/i });
    }
    for (const c of cases) {
      const proc = Bun.spawn([BUN, "src/main.ts"], { cwd: REPO, env: { ...process.env, PORT: "0", DATA_DIR: c.dataDir, LOG_LEVEL: "silent" }, stdout: "pipe", stderr: "pipe" });
      const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
      expect([c.name, code]).toEqual([c.name, 1]);
      expect(stderr).toContain(`DATA_DIR=${c.dataDir}`);
      expect(stderr).toMatch(c.cause);
      expect(stderr).not.toContain("    at "); // a message, not a stack trace
    }
  });
});
