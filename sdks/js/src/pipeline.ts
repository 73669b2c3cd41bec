import type { Stats } from "./types.js";

/**
 * One queue of items (events or points) and the loop that sends it in batches: at most one
 * request in flight, each batch with its own `Idempotency-Key` kept across every retry of that
 * batch (so a retry after a lost answer is stored once), exponential backoff with jitter, and
 * the server's `Retry-After` honoured on 429/503. Bounded: when the queue is full the oldest item
 * goes and is counted. Nothing here throws to the caller; problems go to `onError`.
 */
export interface PipelineOptions {
  url: string;
  wrapper: "events" | "points";
  headers: () => Record<string, string>;
  batchSize: number;
  maxQueueSize: number;
  maxRetries: number;
  retryDelay: number;
  maxRetryDelay: number;
  compress: boolean;
  /** Per request, ms: a server that accepts the connection and never answers must not hold the queue. */
  timeout: number;
  fetch: typeof fetch;
  stats: Stats;
  onError: (error: Error) => void;
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);
const COMPRESS_ABOVE = 1024;
const MAX_RETRY_AFTER_MS = 60_000;
// pagehide: keepalive requests share a 64 KiB budget per page; stay under it.
const KEEPALIVE_BYTES = 60 * 1024;

export class Pipeline<T> {
  private queue: T[] = [];
  private running: Promise<void> | null = null;
  /** Set while the process exits: fewer, shorter retries, and timers that keep it alive. */
  exiting = false;

  constructor(private readonly o: PipelineOptions) {}

  get size() {
    return this.queue.length;
  }

  push(item: T) {
    if (this.queue.length >= this.o.maxQueueSize) {
      this.queue.shift();
      this.o.stats.dropped.overflow++;
    }
    this.queue.push(item);
    if (this.queue.length >= this.o.batchSize) void this.kick(false);
  }

  /** Start sending if idle: full batches only, or everything with `all` (flush, timer). */
  kick(all = true): Promise<void> {
    if (this.queue.length > 0 && !this.running) {
      this.running = this.drain(all).finally(() => (this.running = null));
    }
    return this.running ?? Promise.resolve();
  }

  /** Resolves when everything queued now has been sent or given up. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.running) await this.kick();
  }

  /** Page unload: everything goes now with fetch keepalive, without retries (the page is gone). */
  sendKeepalive() {
    while (this.queue.length > 0) {
      let batch = this.queue.splice(0, this.o.batchSize);
      let body = this.serialise(batch)?.body;
      while (body && body.length > KEEPALIVE_BYTES && batch.length > 1) {
        this.queue.unshift(...batch.slice(batch.length >> 1));
        batch = batch.slice(0, batch.length >> 1);
        body = this.serialise(batch)?.body;
      }
      if (!body) continue;
      const headers = { ...this.o.headers(), "Content-Type": "application/json", "Idempotency-Key": newId() };
      this.o.fetch(this.o.url, { method: "POST", headers, body, keepalive: true }).catch(() => {});
    }
  }

  private async drain(all: boolean) {
    while (this.queue.length >= (all ? 1 : this.o.batchSize)) {
      const batch = this.queue.splice(0, this.o.batchSize);
      await this.send(batch);
    }
  }

  private async send(items: T[]): Promise<void> {
    const serialised = this.serialise(items);
    if (serialised === null) return;
    const { body, batch } = serialised;
    const key = newId();
    const payload = this.o.compress && body.length > COMPRESS_ABOVE ? await gzip(body) : null;
    const headers: Record<string, string> = { ...this.o.headers(), "Content-Type": "application/json", "Idempotency-Key": key };
    if (payload) headers["Content-Encoding"] = "gzip";
    for (let attempt = 0; ; attempt++) {
      // Read each attempt: a batch already retrying when the process starts to exit gets the exit budget.
      const retries = this.exiting ? Math.min(this.o.maxRetries, 2) : this.o.maxRetries;
      let wait: number | null = null;
      let problem: string;
      try {
        const res = await this.o.fetch(this.o.url, { method: "POST", headers, body: payload ?? body, signal: timeoutSignal(this.o.timeout) });
        const answer = await res.text();
        if (res.status === 200 || res.status === 207) return this.stored(batch.length, answer);
        problem = `HTTP ${res.status}: ${answer.slice(0, 300)}`;
        if (res.status === 413 && batch.length > 1) {
          // Too many bytes for one request: halve the batch (each half gets its own key).
          await this.send(batch.slice(0, batch.length >> 1));
          return this.send(batch.slice(batch.length >> 1));
        }
        if (!RETRYABLE.has(res.status)) return this.drop(batch.length, "rejected", `LiteKPI refused a batch of ${batch.length} ${this.o.wrapper}: ${problem}`);
        wait = retryAfter(res.headers.get("retry-after"));
      } catch (err) {
        problem = err instanceof Error ? err.message : String(err);
      }
      if (attempt >= retries) return this.drop(batch.length, "failed", `LiteKPI: a batch of ${batch.length} ${this.o.wrapper} failed after ${attempt + 1} attempts (${problem})`);
      await sleep(wait ?? backoff(attempt, this.o.retryDelay, this.exiting ? 1000 : this.o.maxRetryDelay), this.exiting);
    }
  }

  private stored(count: number, answer: string) {
    let accepted = count;
    try {
      const a = JSON.parse(answer) as { accepted?: number; duplicates?: number; errors?: unknown[] };
      if (typeof a.accepted === "number") accepted = a.accepted + (a.duplicates ?? 0);
      if (Array.isArray(a.errors) && a.errors.length > 0) {
        this.o.stats.dropped.rejected += count - accepted;
        this.o.onError(new Error(`LiteKPI refused ${count - accepted} of ${count} ${this.o.wrapper}: ${JSON.stringify(a.errors.slice(0, 3))}`));
      }
    } catch {
      // a 200 whose body is not JSON (a proxy in between): counted as stored, as the status says
    }
    this.o.stats.sent += accepted;
  }

  private drop(count: number, why: "failed" | "rejected", message: string) {
    this.o.stats.dropped[why] += count;
    this.o.onError(new Error(message));
  }

  /** The batch as JSON; an item that cannot be serialised (a cycle, a BigInt) is dropped alone. */
  private serialise(batch: T[]): { body: string; batch: T[] } | null {
    try {
      return { body: JSON.stringify({ [this.o.wrapper]: batch }), batch };
    } catch {
      const ok = batch.filter((item) => {
        try {
          JSON.stringify(item);
          return true;
        } catch {
          return false;
        }
      });
      this.drop(batch.length - ok.length, "rejected", `LiteKPI: ${batch.length - ok.length} ${this.o.wrapper} could not be serialised to JSON (a cycle or a BigInt)`);
      return ok.length ? { body: JSON.stringify({ [this.o.wrapper]: ok }), batch: ok } : null;
    }
  }
}

function timeoutSignal(ms: number): AbortSignal | undefined {
  return typeof AbortSignal !== "undefined" && typeof AbortSignal.timeout === "function" ? AbortSignal.timeout(ms) : undefined;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries never bunch up. */
export function backoff(attempt: number, base: number, max: number): number {
  const d = Math.min(max, base * 2 ** attempt);
  return d / 2 + Math.random() * (d / 2);
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfter(header: string | null): number | null {
  if (header === null) return null;
  const s = Number(header.trim());
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : null;
}

/** A timer that does not keep a Node/Bun process alive, unless the process is exiting (the flush must finish). */
function sleep(ms: number, keepAlive: boolean): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms) as unknown as { unref?: () => void };
    if (!keepAlive) t.unref?.();
  });
}

async function gzip(text: string): Promise<ArrayBuffer | null> {
  if (typeof CompressionStream === "undefined") return null;
  try {
    const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
    return await new Response(stream).arrayBuffer();
  } catch {
    return null;
  }
}

export function newId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  let s = "";
  for (let i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-a${s.slice(17, 20)}-${s.slice(20)}`;
}
