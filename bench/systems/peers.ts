import { join } from "node:path";
import { writeFileSync } from "node:fs";
import type { Subprocess } from "bun";
import { freePort, hasCommand, memoryOf, pinnedToServerCore, spawnTracked, stopProcess, tempDir, waitForHttp } from "../lib/procs";
import type { Target } from "../lib/load";
import { METRIC, SPAN_END, SPAN_START, toLineProtocol, type BenchPoint } from "../lib/points";

/**
 * The peers: InfluxDB 1.x and VictoriaMetrics, each on 127.0.0.1 with a temp data dir, an
 * explicit configuration (every listener on loopback, reporting off) and pinned to the server
 * core like ours. Both take the same line protocol at `/write?precision=ms`. Skipped with a
 * printed line when not installed.
 */
export type Peer = {
  name: "influxdb" | "victoriametrics";
  label: string;
  durability: string;
  pid: number;
  /** Where it keeps its data (R11 reads the bytes on disk). */
  dataDir: string;
  target: Target;
  encode(points: BenchPoint[]): string;
  /** Makes everything written visible to queries (VictoriaMetrics buffers ~1 s). */
  flush(): Promise<void>;
  /** The 30-day hourly sum; returns the total of all buckets (checked against the reference). */
  hourlySum(filter?: Record<string, string>): Promise<{ buckets: number; total: number }>;
  memory(): { rssMb: number; hwmMb: number } | null;
  stop(): Promise<void>;
};

const iso = (ms: number) => new Date(ms).toISOString();

async function json(res: Response, what: string) {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res.json() as Promise<any>;
}

export async function startInfluxDB(): Promise<Peer | string> {
  if (!hasCommand("influxd")) return "InfluxDB: influxd not installed (apt-get install -y influxdb) — skipped";
  const dir = tempDir("influxdb");
  const [http, rpc, ifql] = [freePort(), freePort(), freePort()];
  const config = join(dir, "influxdb.conf");
  // Every listener is named and on loopback; reporting off (Debian spells it reporting-enabled).
  writeFileSync(
    config,
    `reporting-enabled = false
bind-address = "127.0.0.1:${rpc}"
[meta]
  dir = "${dir}/meta"
  logging-enabled = false
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  wal-fsync-delay = "0s"
  index-version = "inmem"
  query-log-enabled = false
  trace-logging-enabled = false
[coordinator]
  log-queries-after = "0s"
[retention]
  enabled = false
[shard-precreation]
  enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${http}"
  auth-enabled = false
  log-enabled = false
  write-tracing = false
  pprof-enabled = false
  max-body-size = 0
[ifql]
  enabled = false
  bind-address = "127.0.0.1:${ifql}"
[logging]
  level = "error"
  suppress-logo = true
[subscriber]
  enabled = false
[continuous_queries]
  enabled = false
`,
  );
  const proc = spawnTracked(pinnedToServerCore(["influxd", "run", "-config", config]), { env: { HOME: dir, PATH: process.env.PATH }, stderr: "pipe" });
  const url = `http://127.0.0.1:${http}`;
  await waitForHttp(`${url}/ping`, { proc, ms: 30_000 }).catch(async (err) => {
    throw new Error(`${err.message}\n${await new Response(proc.stderr as ReadableStream).text()}`);
  });
  void new Response(proc.stderr as ReadableStream).text(); // drain so a chatty log never blocks it
  await json(await fetch(`${url}/query`, { method: "POST", body: new URLSearchParams({ q: "CREATE DATABASE bench" }) }), "influxdb create database");
  const query = async (q: string) => json(await fetch(`${url}/query?${new URLSearchParams({ db: "bench", q, epoch: "ms" })}`), "influxdb query");
  return peer(proc, {
    name: "influxdb",
    label: "InfluxDB 1.x",
    dataDir: dir,
    durability: "WAL fsync per write request (wal-fsync-delay=0s), tsm1 inmem index",
    target: { name: "influxdb", url: `${url}/write?db=bench&precision=ms`, headers: { "content-type": "text/plain" } },
    flush: async () => {},
    async hourlySum(filter = {}) {
      const where = Object.entries(filter).map(([k, v]) => ` AND "${k}" = '${v}'`).join("");
      const r = await query(`SELECT sum("value") FROM "${METRIC}" WHERE time >= '${iso(SPAN_START)}' AND time < '${iso(SPAN_END)}'${where} GROUP BY time(1h) fill(0)`);
      const values: [number, number | null][] = r.results?.[0]?.series?.[0]?.values ?? [];
      return { buckets: values.length, total: values.reduce((s, [, v]) => s + (v ?? 0), 0) };
    },
  });
}

export async function startVictoriaMetrics(): Promise<Peer | string> {
  const bin = ["victoria-metrics", "victoria-metrics-prod"].find(hasCommand);
  if (!bin) return "VictoriaMetrics: not installed (apt-get install -y victoria-metrics) — skipped";
  const dir = tempDir("victoriametrics");
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  // -retentionPeriod=100y: the default (1 month) silently drops our September 2025 points.
  // -search.disableCache: no query-result cache, since ours has none either.
  const proc = spawnTracked(
    pinnedToServerCore([
      bin,
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${dir}`,
      "-retentionPeriod=100y",
      "-search.disableCache",
      "-loggerLevel=ERROR",
      "-selfScrapeInterval=0",
    ]),
    { env: { HOME: dir, PATH: process.env.PATH } },
  );
  await waitForHttp(`${url}/health`, { proc, ms: 30_000 });
  const step = "3600";
  return peer(proc, {
    name: "victoriametrics",
    dataDir: dir,
    label: "VictoriaMetrics",
    durability: "no fsync per request: acked points sit in memory ~1 s before they reach disk",
    target: { name: "victoriametrics", url: `${url}/write?precision=ms`, headers: { "content-type": "text/plain" } },
    async flush() {
      await fetch(`${url}/internal/force_flush`).then((r) => r.arrayBuffer());
    },
    async hourlySum(filter = {}) {
      const labels = Object.entries(filter).map(([k, v]) => `${k}="${v}"`).join(",");
      // Each step t sums the window (t − 1h, t]: t = the hour's end, so the windows tile the range.
      const params = new URLSearchParams({
        query: `sum(sum_over_time(${METRIC}_value{${labels}}[1h]))`,
        start: String((SPAN_START + 3600_000) / 1000),
        end: String(SPAN_END / 1000),
        step,
        nocache: "1",
      });
      const r = await json(await fetch(`${url}/api/v1/query_range?${params}`), "victoriametrics query");
      const values: [number, string][] = r.data?.result?.[0]?.values ?? [];
      return { buckets: values.length, total: values.reduce((s, [, v]) => s + Number(v), 0) };
    },
  });
}

function peer(proc: Subprocess, p: Omit<Peer, "pid" | "encode" | "memory" | "stop">): Peer {
  return { ...p, pid: proc.pid, encode: toLineProtocol, memory: () => memoryOf(proc.pid), stop: () => stopProcess(proc) };
}
