import { newId, Pipeline } from "./pipeline.js";
import type { EventItem, LiteKPIConfig, PointItem, Properties, Stats } from "./types.js";
import { expressMiddleware, type ExpressMiddlewareOptions } from "./express.js";

const DEFAULT_ENDPOINT = "http://localhost:8080";
const MAX_BATCH = 1000; // the server's limit per request

type ProcessLike = { on(event: string, fn: () => void): void; off?(event: string, fn: () => void): void };
type WindowLike = { addEventListener(event: string, fn: () => void): void; removeEventListener(event: string, fn: () => void): void };
type DocumentLike = { visibilityState?: string };

/**
 * The LiteKPI client. `track()` and `point()` only queue (microseconds on the caller's thread);
 * a background timer and full batches send. Every public method catches what could go wrong and
 * hands it to `onError`: analytics must never break the host application.
 */
export class LiteKPI {
  private readonly events: Pipeline<EventItem>;
  private readonly points: Pipeline<PointItem>;
  private readonly counters: Stats = { queued: 0, sent: 0, sampled: 0, dropped: { overflow: 0, failed: 0, rejected: 0 } };
  private readonly onError: (error: Error) => void;
  private context: Properties;
  private enabled: boolean;
  private samplingRate: number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly unhook: (() => void)[] = [];

  constructor(config: LiteKPIConfig) {
    const cfg = config ?? ({} as LiteKPIConfig);
    this.onError = (e) => {
      try {
        cfg.onError?.(e);
      } catch {
        // a throwing onError must not throw into the app either
      }
    };
    const endpoint = (cfg.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, "");
    const apiKey = String(cfg.apiKey ?? "");
    if (!apiKey) this.onError(new Error("LiteKPI: no apiKey given; the server will answer 401"));
    this.enabled = cfg.enabled ?? true;
    this.samplingRate = clampRate(cfg.samplingRate ?? 1);
    this.context = { ...(cfg.customContext ?? {}) };
    if (cfg.orgId) this.context.org_id = cfg.orgId;
    const batchSize = Math.max(1, Math.min(MAX_BATCH, Math.floor(cfg.batchSize ?? 100)));
    const fetchFn = cfg.fetch ?? globalThis.fetch?.bind(globalThis);
    const common = {
      headers: () => ({ Authorization: `Bearer ${apiKey}` }),
      batchSize,
      maxQueueSize: Math.max(1, Math.floor(cfg.maxQueueSize ?? 10_000)),
      maxRetries: Math.max(0, cfg.maxRetries ?? 8),
      retryDelay: cfg.retryDelay ?? 500,
      maxRetryDelay: cfg.maxRetryDelay ?? 30_000,
      compress: cfg.enableCompression ?? true,
      timeout: cfg.timeout ?? 10_000,
      fetch: fetchFn,
      stats: this.counters,
      onError: this.onError,
    };
    // ?partial=1: one bad item must not cost the other 99 of its batch (they are stored, it is reported).
    this.events = new Pipeline<EventItem>({ ...common, url: `${endpoint}/api/v1/events?partial=1`, wrapper: "events" });
    this.points = new Pipeline<PointItem>({ ...common, url: `${endpoint}/api/v1/points?partial=1`, wrapper: "points" });
    this.startTimer(cfg.flushInterval ?? 5000);
    this.hookExit();
  }

  /** `track(event, properties?)` or `track(namespace, event, properties?)`. */
  track(event: string, properties?: Properties): void;
  track(namespace: string, event: string, properties?: Properties): void;
  track(a: string, b?: string | Properties, c?: Properties): void {
    try {
      if (!this.enabled) return;
      const namespaced = typeof b === "string";
      const name = namespaced ? b : a;
      const props = namespaced ? c : b;
      if (typeof name !== "string" || name.length === 0) return this.invalid("track() needs an event name (a non-empty string)");
      if (this.samplingRate < 1 && Math.random() >= this.samplingRate) {
        this.counters.sampled++;
        return;
      }
      const item: EventItem = { event: name, timestamp: new Date().toISOString(), id: newId() };
      if (namespaced) item.namespace = a;
      if (props !== undefined && props !== null) {
        if (typeof props !== "object" || Array.isArray(props)) return this.invalid("track() properties must be an object");
        item.properties = { ...props };
      }
      // The context object is replaced (never mutated) by the setters, so events can share it.
      if (this.hasContext) item.context = this.context;
      this.events.push(item);
    } catch (err) {
      this.report(err);
    }
  }

  /** A metric point: `point("queue.depth", 42, { region: "eu" })`. Never sampled. */
  point(metric: string, value: number, tags?: Record<string, string>): void {
    try {
      if (!this.enabled) return;
      if (typeof metric !== "string" || metric.length === 0) return this.invalid("point() needs a metric name (a non-empty string)");
      if (typeof value !== "number" || !Number.isFinite(value)) return this.invalid(`point("${metric}") needs a finite number, got ${String(value)}`);
      const item: PointItem = { metric, value, timestamp: new Date().toISOString() };
      if (tags) item.tags = { ...tags };
      this.points.push(item);
    } catch (err) {
      this.report(err);
    }
  }

  /** Merge fields into every later event's `context` (`service`, `version`, `session_id`, …). */
  setContext(context: Properties): void {
    try {
      if (context && typeof context === "object") this.context = { ...this.context, ...context };
    } catch (err) {
      this.report(err);
    }
  }

  /** Later events carry `context.user_id` (and `context.user` with the properties given). */
  setUser(userId: string, properties?: Properties): void {
    const next: Properties = { user_id: userId };
    if (properties && typeof properties === "object") next.user = { ...properties };
    this.setContext(next);
  }

  /** Later events carry `context.org_id`. */
  setOrganization(orgId: string): void {
    this.setContext({ org_id: orgId });
  }

  /** 0.0–1.0: the share of `track()` calls kept. */
  setSamplingRate(rate: number): void {
    this.samplingRate = clampRate(rate);
  }

  enable(): void {
    this.enabled = true;
  }

  /** Stop recording: `track()` and `point()` do nothing until `enable()`. What is queued still goes. */
  disable(): void {
    this.enabled = false;
  }

  /** Send everything queued now; resolves when it is stored or given up (never rejects). */
  async flush(): Promise<void> {
    try {
      await Promise.all([this.events.flush(), this.points.flush()]);
    } catch (err) {
      this.report(err);
    }
  }

  /** Flush, then stop the timer and the exit hooks (for tests and short-lived scripts). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const off of this.unhook.splice(0)) off();
    await this.flush();
  }

  /** What happened to what the SDK was given. */
  stats(): Stats {
    return { ...this.counters, queued: this.events.size + this.points.size, dropped: { ...this.counters.dropped } };
  }

  /** Express (or Connect) middleware: one `http`/`request` event per request. */
  middleware(options?: ExpressMiddlewareOptions) {
    return expressMiddleware(this, options);
  }

  private get hasContext() {
    for (const _ in this.context) return true;
    return false;
  }

  private startTimer(interval: number) {
    const t = setInterval(() => {
      void this.events.kick();
      void this.points.kick();
    }, Math.max(50, interval)) as unknown as { unref?: () => void };
    t.unref?.(); // the timer must not keep a Node/Bun process alive; beforeExit flushes instead
    this.timer = t as unknown as ReturnType<typeof setInterval>;
  }

  /** Node/Bun: flush when the event loop empties. Browsers: keepalive requests when the page hides. */
  private hookExit() {
    const proc = (globalThis as { process?: ProcessLike }).process;
    const win = (globalThis as { window?: WindowLike }).window;
    if (win && typeof win.addEventListener === "function") {
      const doc = (globalThis as { document?: DocumentLike }).document;
      const hide = () => {
        if (doc?.visibilityState === undefined || doc.visibilityState === "hidden") this.sendKeepalive();
      };
      const pagehide = () => this.sendKeepalive();
      win.addEventListener("pagehide", pagehide);
      win.addEventListener("visibilitychange", hide);
      this.unhook.push(() => (win.removeEventListener("pagehide", pagehide), win.removeEventListener("visibilitychange", hide)));
    } else if (proc && typeof proc.on === "function") {
      const beforeExit = () => {
        if (this.events.size === 0 && this.points.size === 0) return;
        this.events.exiting = this.points.exiting = true;
        void this.flush();
      };
      proc.on("beforeExit", beforeExit);
      this.unhook.push(() => proc.off?.("beforeExit", beforeExit));
    }
  }

  private sendKeepalive() {
    try {
      this.events.sendKeepalive();
      this.points.sendKeepalive();
    } catch (err) {
      this.report(err);
    }
  }

  private invalid(message: string) {
    this.counters.dropped.rejected++;
    this.onError(new Error(`LiteKPI: ${message}`));
  }

  private report(err: unknown) {
    this.onError(err instanceof Error ? err : new Error(String(err)));
  }
}

function clampRate(rate: number): number {
  return typeof rate === "number" && Number.isFinite(rate) ? Math.min(1, Math.max(0, rate)) : 1;
}
