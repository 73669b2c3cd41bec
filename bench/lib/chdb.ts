import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * chdb — ClickHouse embedded in the process (Apache-2.0, ~540 MB with its library) — as the
 * peer of R16, R17 and R19. It is no dependency of LiteKPI: `bun run bench --chdb` installs it
 * once into bench/.peers/ (`npm install --no-save --prefix`), a checkout that has it installed
 * already (the ClickHouse test lane) is used as it is, and without either the rows print n/a.
 * ClickHouse reads our SQLite file itself (the `sqlite()` table function), so the peer loads
 * exactly the rows we query.
 */
export type ChdbSession = { query(sql: string, format?: string): string; cleanup?(): void };
export type ChdbModule = { Session: new (path: string) => ChdbSession };

export const CHDB_VERSION = "3.4.0";
const REPO = resolve(import.meta.dir, "../..");
const PEERS = join(REPO, "bench/.peers");

let loaded: Promise<ChdbModule | null> | null = null;

/** The chdb module, or null with the reason printed once. */
export function loadChdb(install: boolean): Promise<ChdbModule | null> {
  loaded ??= (async () => {
    for (const from of ["chdb", join(PEERS, "node_modules/chdb/index.js")]) {
      try {
        return (await import(from)) as ChdbModule;
      } catch {
        // not installed there
      }
    }
    if (!install) return null;
    console.log(`installing chdb@${CHDB_VERSION} into bench/.peers (once, ~540 MB)…`);
    const proc = Bun.spawnSync(["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", PEERS, `chdb@${CHDB_VERSION}`], { stdout: "inherit", stderr: "inherit" });
    if (proc.exitCode !== 0 || !existsSync(join(PEERS, "node_modules/chdb/index.js"))) {
      console.log("chdb could not be installed: the ClickHouse rows are n/a");
      return null;
    }
    return (await import(join(PEERS, "node_modules/chdb/index.js"))) as ChdbModule;
  })();
  return loaded;
}

/** Rows of a JSONCompact answer. */
export function rows(answer: string): unknown[][] {
  return answer.trim() ? (JSON.parse(answer) as { data: unknown[][] }).data : [];
}

/** Median and p95 of `runs` timed calls (the first, a warm-up, not counted). */
export function timeRuns(runs: number, f: () => void): { median: number; p95: number } {
  f();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { median: t[t.length >> 1]!, p95: t[Math.min(t.length - 1, Math.ceil(t.length * 0.95) - 1)]! };
}
