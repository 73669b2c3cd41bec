import type { Deps } from "../deps";
import type { ResolvedFilter } from "../query/events/parse";
import { eventsAfter, newestSeq } from "./explorer";

/**
 * The live stream of the explorer as Server-Sent Events: every POLL_MS the read connection is
 * asked for the product's events stored since the last one sent, with the filter applied on the
 * server. Bounded: at most BATCH events per poll (a burst is sent over several polls, never
 * buffered without end), and the stream ends when the browser goes (the request's abort signal)
 * or after MAX_MS (EventSource reconnects by itself, from the last id it saw).
 */
const POLL_MS = 500;
const BATCH = 100;
const MAX_MS = 10 * 60_000;

export function eventStream(deps: Pick<Deps, "reader">, productId: string, filter: () => ResolvedFilter, opts: { signal: AbortSignal; lastEventId: number | null }): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let cursor = opts.lastEventId ?? newestSeq(deps.reader);
  const started = Date.now();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const stop = () => {
        if (timer) clearTimeout(timer);
        timer = null;
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      opts.signal.addEventListener("abort", stop, { once: true });
      controller.enqueue(enc.encode(`retry: 2000\n: stream of new events\n\n`));
      const tick = () => {
        if (opts.signal.aborted) return stop();
        try {
          for (const e of eventsAfter(deps.reader, productId, filter(), cursor, BATCH)) {
            cursor = e.seq;
            controller.enqueue(enc.encode(`id: ${e.seq}\nevent: event\ndata: ${JSON.stringify(e)}\n\n`));
          }
          controller.enqueue(enc.encode(`: ping\n\n`));
        } catch {
          return stop();
        }
        if (Date.now() - started > MAX_MS) return stop();
        timer = setTimeout(tick, POLL_MS);
      };
      timer = setTimeout(tick, POLL_MS);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  });
}
