import { join, resolve } from "node:path";
import { ChdbMissingError, loadChdb as loadChdbModule, type ChdbModule } from "../../src/storage/clickhouse/chdb";

/**
 * chdb — ClickHouse embedded in the process (Apache-2.0, ~540 MB with its library) — as the
 * peer of R16, R17 and R19. It is no dependency of LiteKPI: `bun run bench --chdb` installs it
 * once into bench/.peers/ (`npm install --no-save --prefix`), a checkout that has it installed
 * already (the ClickHouse test lane) is used as it is, and without either the rows print n/a.
 * ClickHouse reads our SQLite file itself (the `sqlite()` table function), so the peer loads
 * exactly the rows we query.
 */
export type { ChdbModule, ChdbSession } from "../../src/storage/clickhouse/chdb";

export const CHDB_VERSION = "3.4.0";
const REPO = resolve(import.meta.dir, "../..");
const PEERS = join(REPO, "bench/.peers");

let loaded: Promise<ChdbModule | null> | null = null;

/** The module through src's one loader: the checkout's own install, else bench/.peers. */
function found(): ChdbModule | null {
  try {
    return loadChdbModule([PEERS]);
  } catch (err) {
    if (err instanceof ChdbMissingError) return null;
    throw err;
  }
}

/** The chdb module, or null with the reason printed once. */
export function loadChdb(install: boolean): Promise<ChdbModule | null> {
  loaded ??= (async () => {
    const there = found();
    if (there || !install) return there;
    console.log(`installing chdb@${CHDB_VERSION} into bench/.peers (once, ~540 MB)…`);
    const proc = Bun.spawnSync(["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", PEERS, `chdb@${CHDB_VERSION}`], { stdout: "inherit", stderr: "inherit" });
    const now = proc.exitCode === 0 ? found() : null;
    if (!now) console.log("chdb could not be installed: the ClickHouse rows are n/a");
    return now;
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
