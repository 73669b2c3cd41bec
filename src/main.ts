import { loadConfig, ConfigError } from "./config";
import { createDeps } from "./boot";
import { startServer } from "./server";
import { runCli } from "./cli";

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

  // A writer thread that dies cannot acknowledge anything more: stop loudly, never pretend.
  const deps = await createDeps(config, { onWriterFatal: () => process.exit(70) });
  await deps.queue.start();
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

if (import.meta.main) {
  const result = await runMain(process.argv.slice(2));
  if (typeof result === "number") process.exit(result);
}
