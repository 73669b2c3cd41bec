import { InfluxDB, type Transport } from "@influxdata/influxdb-client";
import { batches, toLineProtocol, type PointFn } from "../lib/points";
import type { Recorder } from "../lib/report";
import type { Peer } from "../systems/peers";
import type { Ours } from "../systems/ours";

/**
 * R21: InfluxDB's own client library (@influxdata/influxdb-client, its WriteApi) writing the same
 * line-protocol batches into LiteKPI's /api/v2/write and into InfluxDB. Each lane is one WriteApi
 * that is handed a 1000-line batch and flushed (`writeRecords` + `flush()`, the client's normal
 * path: it joins the lines, POSTs, and resolves on the 204). Lines are encoded before the clock
 * starts. The peer is InfluxDB 1.x, which has no /api/v2/write (added in 1.8), so the client's
 * transport there rewrites the path to the 1.x /write with the same line protocol and precision
 * — the same client code on both sides, only the URL differs.
 */
export type InfluxClientTarget = { key: string; label: string; note: string; client: InfluxDB; org: string; bucket: string };

export function influxClientTargets(ours: Ours, product: string, peers: Peer[], durability: string): InfluxClientTarget[] {
  const targets: InfluxClientTarget[] = [
    { key: "influxclient.ours", label: "InfluxDB client → ours (/api/v2/write)", note: durability, client: new InfluxDB({ url: ours.url, token: ours.products[product]!.ingestKey }), org: "bench", bucket: "bench" },
  ];
  const influx = peers.find((p) => p.name === "influxdb");
  if (influx) {
    const url = new URL(influx.target.url).origin;
    const inner = new InfluxDB({ url }).transport;
    const rewrite = (path: string) => {
      const q = new URLSearchParams(path.slice(path.indexOf("?") + 1));
      return path.startsWith("/api/v2/write") ? `/write?db=${q.get("bucket")}&precision=${q.get("precision")}` : path;
    };
    const transport: Transport = {
      send: (path, body, options, callbacks) => inner.send(rewrite(path), body, options, callbacks),
      request: (path, body, options, started) => inner.request(rewrite(path), body, options, started),
      iterate: (path, body, options) => inner.iterate(rewrite(path), body, options),
      chunkCombiner: inner.chunkCombiner,
    };
    targets.push({ key: "influxclient.influxdb", label: `InfluxDB client → ${influx.label} (/write)`, note: influx.durability, client: new InfluxDB({ url, transport }), org: "bench", bucket: "bench" });
  }
  return targets;
}

/**
 * One round: every target gets the same slice [from, to), the order rotating per round. `warmup`
 * (an index range of its own) is written to every target first, untimed: the steady state is what
 * is compared, not a JIT compiling its first thousand requests (InfluxDB is compiled ahead of time).
 */
export async function influxClientRound(rec: Recorder, o: { targets: InfluxClientTarget[]; point: PointFn; from: number; to: number; batch: number; concurrency: number; round: number; warmup?: { from: number; to: number } }) {
  const linesOf = (from: number, to: number) => [...batches(o.point, from, to, o.batch)].map((b) => toLineProtocol(b).trimEnd().split("\n"));
  const lines = linesOf(o.from, o.to);
  const warm = o.warmup ? linesOf(o.warmup.from, o.warmup.to) : [];
  const order = o.targets.map((_, k) => o.targets[(k + o.round) % o.targets.length]!);
  for (const t of order) {
    if (warm.length) await write(t, warm, o);
    const start = performance.now();
    const points = await write(t, lines, o);
    const ms = performance.now() - start;
    rec.add(t.key, (points / ms) * 1000, "points/s", t.label, t.note, { points, ms });
  }
}

/** `lines` through `concurrency` WriteApis, one batch per flush; answers the points written. */
async function write(t: InfluxClientTarget, lines: string[][], o: { batch: number; concurrency: number }): Promise<number> {
  let next = 0;
  let points = 0;
  const lane = async () => {
    const api = t.client.getWriteApi(t.org, t.bucket, "ms", { batchSize: o.batch + 1, flushInterval: 0, maxRetries: 0, maxBufferLines: o.batch * 2 });
    for (let i = next++; i < lines.length; i = next++) {
      api.writeRecords(lines[i]!);
      await api.flush();
      points += lines[i]!.length;
    }
    await api.close();
  };
  await Promise.all(Array.from({ length: o.concurrency }, lane));
  return points;
}
