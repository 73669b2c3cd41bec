import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { startFaultProxy, type FaultProxy } from "./fault-proxy";

/**
 * One live server, one product with an ingest and a read key, and the fault proxy in front of the
 * server: what every SDK suite starts from. Reads go straight to the server with the read key.
 */
export type SdkFixture = {
  server: TestServer;
  proxy: FaultProxy;
  ingestKey: string;
  readKey: string;
  productId: string;
  /** How many events of this name the server stored (each adds 1 to `event:<name>`). */
  eventCount(name: string): Promise<number>;
  /** The sum of a metric's points. */
  pointSum(metric: string): Promise<number>;
  /** The environment the Python and Go suites read. */
  env(): Record<string, string>;
  stop(): Promise<void>;
};

export async function startSdkFixture(): Promise<SdkFixture> {
  const server = await startTestServer();
  const p = await makeProductWithKeys(server.deps);
  const proxy = startFaultProxy(server.url);
  const query = async (metric: string, aggregation: string) => {
    const res = await server.fetch("/api/v1/query", {
      method: "POST",
      headers: { Authorization: `Bearer ${p.readKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ metric, aggregation, range: "2d" }),
    });
    const body = (await res.json()) as { value?: number | null };
    if (res.status !== 200) throw new Error(`query ${metric}: ${res.status} ${JSON.stringify(body)}`);
    return body.value ?? 0;
  };
  return {
    server,
    proxy,
    ingestKey: p.ingestKey,
    readKey: p.readKey,
    productId: p.product.id,
    eventCount: (name) => query(`event:${name}`, "sum"),
    pointSum: (metric) => query(metric, "sum"),
    env: () => ({
      LITEKPI_ENDPOINT: proxy.url,
      LITEKPI_SERVER: server.url,
      LITEKPI_API_KEY: p.ingestKey,
      LITEKPI_READ_KEY: p.readKey,
    }),
    async stop() {
      proxy.stop();
      await server.stop();
    },
  };
}

/** Poll until `check` holds (no timed assertion: the deadline only bounds a hang). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, deadlineMs = 20_000) {
  const end = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`never happened: ${what}`);
    await Bun.sleep(20);
  }
}

/** Run a command to its end; its output is returned for the assertion message. */
export async function run(cmd: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, output: `${stdout}\n${stderr}` };
}
