import * as v from "valibot";
import { parseOutboundAllow, type OutboundAllow } from "./outbound/allow";

/**
 * The only reader of the environment. One valibot schema; a bad value stops start-up with a
 * message naming the variable. Every variable here is documented in README.md.
 */
const intFrom = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^\d+$/, "must be a whole number"),
    v.transform(Number),
    v.number(),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
const numberFrom = (min: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^\d+(\.\d+)?$/, "must be a positive number"),
    v.transform(Number),
    v.number(),
    v.minValue(min, `must be at least ${min}`),
  );
const optionalString = v.optional(v.pipe(v.string(), v.trim(), v.minLength(1, "must not be empty")));

const EnvSchema = v.object({
  PORT: v.optional(intFrom(0, 65535), "8080"),
  HOST: v.optional(v.pipe(v.string(), v.minLength(1)), "0.0.0.0"),
  DATA_DIR: v.optional(v.pipe(v.string(), v.minLength(1)), "./data"),
  BASE_URL: v.optional(v.pipe(v.string(), v.url("must be an absolute URL like https://kpi.example.com"))),
  SECRET: v.optional(v.pipe(v.string(), v.minLength(32, "must be at least 32 characters"))),
  SMTP_URL: v.optional(v.pipe(v.string(), v.regex(/^smtps?:\/\//, "must start with smtp:// or smtps://"))),
  SMTP_FROM: v.optional(v.string(), "LiteKPI <litekpi@localhost>"),
  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  GITHUB_CLIENT_ID: optionalString,
  GITHUB_CLIENT_SECRET: optionalString,
  LITEKPI_SYNC: v.optional(v.picklist(["full", "normal"], "must be full or normal"), "full"),
  LOG_LEVEL: v.optional(v.picklist(["debug", "info", "warn", "error", "silent"], "must be debug, info, warn, error or silent"), "info"),
  /** Comma-separated proxy IPs whose X-Forwarded-For is believed. */
  TRUSTED_PROXIES: v.optional(v.string(), ""),
  /** Requests per second per API key (token bucket; burst = 2 s worth). */
  RATE_LIMIT_KEY_RPS: v.optional(numberFrom(1), "2000"),
  /** Requests per second per product, all keys and the tracker together. */
  RATE_LIMIT_PRODUCT_RPS: v.optional(numberFrom(1), "5000"),
  /** Login, registration and reset attempts per IP per 15 minutes. */
  RATE_LIMIT_AUTH_PER_IP: v.optional(intFrom(1, 1_000_000), "30"),
  /** Failed logins per (email, IP), and reset/resend/registration mails per address, per 15 minutes. */
  RATE_LIMIT_AUTH_PER_EMAIL: v.optional(intFrom(1, 1_000_000), "10"),
  /** Failed logins per email address from all IPs together per 15 minutes: far above the pair limit. */
  RATE_LIMIT_AUTH_FAILURES_PER_EMAIL: v.optional(intFrom(1, 1_000_000), "200"),
  /** Tracking requests (/api/track, /api/event) per second per client IP (in memory; burst = 2 s worth). */
  RATE_LIMIT_TRACK_PER_IP_RPS: v.optional(numberFrom(1), "50"),
  /** Distinct tag combinations (series) a product may have. */
  MAX_SERIES_PER_PRODUCT: v.optional(intFrom(1, 100_000_000), "100000"),
  WEB_FOLD_MS: v.optional(intFrom(1, 3_600_000), "300"),
  /** Folder for the daily backup (src/jobs/index.ts); unset = no scheduled backups. */
  BACKUP_DIR: optionalString,
  /** Scheduled backups kept in BACKUP_DIR: the newest N. */
  BACKUP_KEEP: v.optional(intFrom(1, 10_000), "7"),
  /** Bearer token for GET /metrics; unset = /metrics answers 404. */
  METRICS_TOKEN: v.optional(v.pipe(v.string(), v.trim(), v.minLength(16, "must be at least 16 characters"))),
  /** UDP port for the StatsD drop-in (src/dropins/statsd/); unset = off. */
  STATSD_PORT: v.optional(intFrom(0, 65535)),
  /** The ingest key whose product StatsD writes into; required with STATSD_PORT. */
  STATSD_KEY: optionalString,
  /** Hosts, IPs and CIDRs outbound requests (Slack, webhooks) may reach although private or loopback. */
  OUTBOUND_ALLOW: v.optional(v.string(), ""),
  /** Where the data plane lives (README "Storage engines"): sqlite (default), chdb (embedded ClickHouse), clickhouse (a server). */
  STORAGE: v.optional(v.picklist(["sqlite", "clickhouse", "chdb"], "must be sqlite, clickhouse or chdb"), "sqlite"),
  /** The ClickHouse server of STORAGE=clickhouse, user and password in the URL. */
  CLICKHOUSE_URL: v.optional(v.pipe(v.string(), v.url("must be an absolute URL like http://user:password@clickhouse:8123"))),
  CLICKHOUSE_DATABASE: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "must be a ClickHouse identifier")), "litekpi"),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  baseUrl: string;
  secret: string | undefined; // resolved at boot (generated and stored in DATA_DIR when absent)
  smtpUrl: string | undefined;
  smtpFrom: string;
  google: { clientId: string; clientSecret: string } | undefined;
  github: { clientId: string; clientSecret: string } | undefined;
  sync: "full" | "normal";
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  trustedProxies: string[];
  rateLimits: { keyRps: number; productRps: number; authPerIp: number; authPerEmail: number; authFailuresPerEmail: number; trackPerIpRps: number };
  maxSeriesPerProduct: number;
  /** How long committed page views may wait before the web pre-aggregates take them in (src/writer/web/journal.ts). */
  webFoldMs: number;
  backupDir: string | undefined;
  backupKeep: number;
  metricsToken: string | undefined;
  statsd: { port: number; key: string } | undefined;
  outboundAllow: OutboundAllow;
  /** The data plane's engine; chdb keeps its data in DATA_DIR/clickhouse. */
  storage: { engine: "sqlite" | "clickhouse" | "chdb"; clickhouseUrl: string | undefined; clickhouseDatabase: string };
};

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i}`).join("\n")}`);
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset (docker-compose passes `FOO=` for blanks).
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = v.safeParse(EnvSchema, present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.issues.map((issue) => `${v.getDotPath(issue) ?? "environment"}=${JSON.stringify(issue.input)}: ${issue.message}`),
    );
  }
  const e = parsed.output;
  const pair = (name: string, id?: string, secret?: string) => {
    if (!id && !secret) return undefined;
    if (!id || !secret) throw new ConfigError([`${name}_CLIENT_ID and ${name}_CLIENT_SECRET: set both or neither`]);
    return { clientId: id, clientSecret: secret };
  };
  const port = e.PORT;
  if (e.STATSD_PORT !== undefined && !e.STATSD_KEY) throw new ConfigError(["STATSD_KEY: required when STATSD_PORT is set (an ingest key: StatsD writes into its product)"]);
  const outbound = parseOutboundAllow(e.OUTBOUND_ALLOW);
  if (outbound.problems.length) throw new ConfigError(outbound.problems.map((p) => `OUTBOUND_ALLOW: ${p}`));
  if (e.STORAGE === "clickhouse" && !e.CLICKHOUSE_URL) throw new ConfigError(["CLICKHOUSE_URL: required when STORAGE=clickhouse (e.g. http://user:password@clickhouse:8123)"]);
  return {
    port,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    baseUrl: (e.BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ""),
    secret: e.SECRET,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    google: pair("GOOGLE", e.GOOGLE_CLIENT_ID, e.GOOGLE_CLIENT_SECRET),
    github: pair("GITHUB", e.GITHUB_CLIENT_ID, e.GITHUB_CLIENT_SECRET),
    sync: e.LITEKPI_SYNC,
    logLevel: e.LOG_LEVEL,
    trustedProxies: e.TRUSTED_PROXIES.split(",").map((s) => s.trim()).filter(Boolean),
    rateLimits: {
      keyRps: e.RATE_LIMIT_KEY_RPS,
      productRps: e.RATE_LIMIT_PRODUCT_RPS,
      authPerIp: e.RATE_LIMIT_AUTH_PER_IP,
      authPerEmail: e.RATE_LIMIT_AUTH_PER_EMAIL,
      authFailuresPerEmail: e.RATE_LIMIT_AUTH_FAILURES_PER_EMAIL,
      trackPerIpRps: e.RATE_LIMIT_TRACK_PER_IP_RPS,
    },
    maxSeriesPerProduct: e.MAX_SERIES_PER_PRODUCT,
    webFoldMs: e.WEB_FOLD_MS,
    backupDir: e.BACKUP_DIR,
    backupKeep: e.BACKUP_KEEP,
    metricsToken: e.METRICS_TOKEN,
    statsd: e.STATSD_PORT !== undefined ? { port: e.STATSD_PORT, key: e.STATSD_KEY! } : undefined,
    outboundAllow: outbound.allow,
    storage: { engine: e.STORAGE, clickhouseUrl: e.CLICKHOUSE_URL, clickhouseDatabase: e.CLICKHOUSE_DATABASE },
  };
}
