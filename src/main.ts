import { loadConfig, ConfigError } from "./config";
import { createDeps } from "./boot";
import { startServer } from "./server";
import { runCli } from "./cli";
import { storageProblem } from "./writer/flush";
import { acquireServerLock, type ServerLock } from "./ops/server-lock";

// Referenced for the life of the process: the lock lasts as long as its connection.
let serverLock: ServerLock | null = null;

/**
 * `litekpi` with no command serves; with a command it runs the CLI (src/cli.ts).
 * Boot: config → data dir → database → migrations → serve. SIGTERM/SIGINT: stop accepting,
 * finish in-flight requests and the write queue, close the database, exit 0.
 */
export async function runMain(argv: string[]): Promise<number | "serving"> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`litekpi: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (argv.length > 0) return runCli(argv, config);

  let deps;
  try {
    // A writer thread that dies cannot acknowledge anything more: stop loudly, never pretend.
    deps = await createDeps(config, { onWriterFatal: () => process.exit(70) });
    // One server per DATA_DIR, and none while `litekpi restore` replaces the database. Held
    // until the process exits (the kernel drops it then, also after a kill -9).
    serverLock = acquireServerLock(config.dataDir);
    if (!serverLock) {
      await deps.close();
      process.stderr.write(`litekpi: another LiteKPI server (or a restore) is using DATA_DIR=${config.dataDir}\n`);
      return 1;
    }
  } catch (err) {
    // A data plane that cannot open (STORAGE=chdb without chdb installed) is a configuration fault.
    if (err instanceof ConfigError) {
      process.stderr.write(`litekpi: ${err.message}\n`);
      return 1;
    }
    const cause = dataDirProblem(err);
    if (!cause) throw err;
    process.stderr.write(`litekpi: cannot use DATA_DIR=${config.dataDir}: ${cause}\n`);
    return 1;
  }
  // The writer thread starts beside the listener (a first write waits for it); if it cannot
  // start, onWriterFatal ends the process.
  void deps.queue.start().catch(() => {});
  const server = startServer(deps);
  deps.scheduler.start();
  deps.log.info("litekpi listening", { url: server.url, dataDir: config.dataDir });
  let exiting = false;
  const shutdown = async (signal: string) => {
    if (exiting) return;
    exiting = true;
    deps.log.info("shutting down", { signal });
    try {
      await server.stop();
      process.exit(0);
    } catch (err) {
      deps.log.error("shutdown failed", { err });
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  return "serving";
}

/**
 * Why the data directory cannot hold the database, when that is what failed at start-up (a
 * read-only file system, no permission, a file where the directory should be), else null.
 */
function dataDirProblem(err: unknown): string | null {
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code !== "string") return null;
  const fsCauses: Record<string, string> = {
    EROFS: "the file system is read-only",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    ENOTDIR: "a path component is a file, not a directory",
    EEXIST: "a file is in the way of the directory",
    ENOSPC: "the disk is full",
  };
  if (fsCauses[code]) return `${fsCauses[code]} (${message})`;
  const sqlite = storageProblem(err);
  return sqlite ? `${sqlite} (${message})` : null;
}

if (import.meta.main) {
  const result = await runMain(process.argv.slice(2));
  if (typeof result === "number") process.exit(result);
}
