import type { Deps } from "../../deps";
import { AppError } from "../../lib/errors";
import { recordDrop } from "../../ops/drops";
import { admit, ingestKeyFrom } from "../common";
import { StatsdAggregator } from "./aggregate";
import { parseStatsdLine } from "./parse";

/**
 * StatsD over UDP (DESIGN.md "Developer surface and drop-ins"): on STATSD_PORT when set, into
 * the product of the ingest key STATSD_KEY. Samples are aggregated in memory (./aggregate.ts)
 * and written as points through the writer every FLUSH_MS (StatsD's default flushInterval) and
 * once more at shutdown. The key is checked at every flush, so revoking it stops the writes; a
 * flush takes one token of the key's and the product's rate limits and passes the quota gate
 * like a POST. UDP has nobody to answer: what is refused is logged and counted, never stored.
 * The sender's address is never read into anything kept or logged.
 */
export const FLUSH_MS = 10_000;
const MAX_POINTS_PER_BATCH = 1000;

export type StatsdServer = {
  port: number;
  /** Datagram lines received so far (tests wait on it; UDP gives no acknowledgement). */
  readonly received: number;
  /** Writes this interval's points now; resolves after their commit. */
  flush(): Promise<number>;
  /** Stops listening and writes what is left (the SIGTERM drain). */
  close(): Promise<void>;
};

export async function startStatsd(deps: Deps, opts: { port: number; host: string; key: string; flushMs?: number }): Promise<StatsdServer> {
  try {
    ingestKeyFrom(deps, opts.key, "as STATSD_KEY");
  } catch (err) {
    // Checked again at every flush (a key created later works then); said now so a typo shows at start.
    deps.log.error("STATSD_KEY is not an active ingest key: StatsD samples are not stored until it is", { reason: err instanceof Error ? err.message : String(err) });
  }
  const agg = new StatsdAggregator();
  let received = 0;
  let refused = 0;
  const decoder = new TextDecoder();
  const socket = await Bun.udpSocket({
    port: opts.port,
    hostname: opts.host,
    socket: {
      data(_socket, buf) {
        for (const line of decoder.decode(buf).split("\n")) {
          const trimmed = line.trim();
          if (trimmed === "") continue;
          received++;
          const r = parseStatsdLine(trimmed);
          if ("problem" in r) {
            refused++;
            recordDrop("statsd_invalid_line");
            deps.log.debug("statsd line refused", { reason: r.problem });
          } else if (!("skip" in r)) agg.add(r);
        }
      },
    },
  });

  let flushing: Promise<number> = Promise.resolve(0);
  const flush = () => (flushing = flushing.then(writeOnce, writeOnce));

  async function writeOnce(): Promise<number> {
    const now = deps.clock.now();
    const points = agg.drain(now);
    if (agg.dropped > 0) deps.log.warn("statsd keys over the per-flush limit dropped", { dropped: agg.dropped }), (agg.dropped = 0);
    if (refused > 0) deps.log.warn("statsd lines refused", { refused }), (refused = 0);
    if (points.length === 0) return 0;
    let stored = 0;
    try {
      const key = ingestKeyFrom(deps, opts.key, "as STATSD_KEY");
      admit(deps, { keyId: key.id, productId: key.productId });
      for (let i = 0; i < points.length; i += MAX_POINTS_PER_BATCH) {
        const { accepted } = await deps.queue.submitPoints(key.productId, points.slice(i, i + MAX_POINTS_PER_BATCH), { apiKeyId: key.id });
        deps.limits.ingest.quota.add(key.productId, accepted);
        stored += accepted;
      }
      return points.length;
    } catch (err) {
      const reason = err instanceof AppError ? `${err.code}: ${err.message}` : String(err);
      deps.log.error("statsd flush not stored", { points: points.length - stored, reason });
      recordDrop("statsd_not_stored", points.length - stored);
      return 0;
    }
  }

  const timer = setInterval(() => void flush(), opts.flushMs ?? FLUSH_MS);
  let closing: Promise<void> | null = null;
  return {
    port: socket.port,
    get received() {
      return received;
    },
    flush,
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        socket.close();
        await flush();
      })();
      return closing;
    },
  };
}
