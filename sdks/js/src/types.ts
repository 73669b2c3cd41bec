/** What `new LiteKPI(config)` takes. Only `apiKey` is required. */
export interface LiteKPIConfig {
  /** An ingest key (`lk_…`) of the product. */
  apiKey: string;
  /** The server's base URL, e.g. `https://kpi.example.com` (default `http://localhost:8080`). */
  endpoint?: string;
  /** Sent as `context.org_id` on every event, like `setOrganization`. */
  orgId?: string;
  /** Events or points per request (default 100, at most 1000: the server's limit). */
  batchSize?: number;
  /** Milliseconds between background flushes (default 5000). */
  flushInterval?: number;
  /** Share of events kept, 0.0–1.0 (default 1.0). Points are never sampled. */
  samplingRate?: number;
  /** gzip request bodies (default true; bodies under 1 KiB are sent as they are). */
  enableCompression?: boolean;
  /** Fields merged into every event's `context` (e.g. `{ service: "api", version: "1.2.0" }`). */
  customContext?: Record<string, unknown>;
  /** Start disabled (default true = enabled). */
  enabled?: boolean;
  /** Most items kept while the server is unreachable; past it the oldest are dropped and counted (default 10000). */
  maxQueueSize?: number;
  /** Attempts per batch after the first (default 8, ~2 minutes of backoff). */
  maxRetries?: number;
  /** Backoff of the first retry in ms, doubled each time up to `maxRetryDelay` (defaults 500 and 30000). */
  retryDelay?: number;
  maxRetryDelay?: number;
  /** Milliseconds one request may take before it is aborted and retried (default 10000). */
  timeout?: number;
  /** Called with every problem (dropped batch, invalid item); the SDK itself never throws. */
  onError?: (error: Error) => void;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
}

export type Properties = Record<string, unknown>;

/** Counters of what happened to what was handed to the SDK, for monitoring and tests. */
export interface Stats {
  /** Items waiting to be sent. */
  queued: number;
  /** Items the server answered as stored (its `accepted`). */
  sent: number;
  /** Events left out by sampling. */
  sampled: number;
  dropped: {
    /** Oldest items dropped because the queue was full (server unreachable for long). */
    overflow: number;
    /** Items of batches that still failed after every retry. */
    failed: number;
    /** Items the server refused (4xx, or listed as invalid in a 207) or that could not be serialised. */
    rejected: number;
  };
}

export interface EventItem {
  event: string;
  namespace?: string;
  timestamp: string;
  properties?: Properties;
  context?: Properties;
  id: string;
}

export interface PointItem {
  metric: string;
  value: number;
  timestamp: string;
  tags?: Record<string, string>;
}
