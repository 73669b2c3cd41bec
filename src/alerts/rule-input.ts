import * as v from "valibot";
import { AppError, type ItemError } from "../lib/errors";
import { displayNameSchema, isObject } from "../lib/names";
import { parseRfc3339, RFC3339_HINT } from "../lib/time/rfc3339";
import { resolveQuery } from "../query/parse";
import type { QueryProduct } from "../query/run";
import { CONDITION_KINDS, conditionKind, conditionTag } from "./conditions";
import { channelKind, CHANNEL_KINDS } from "./channels";
import type { PrepareContext, Prepared } from "./channels/kind";
import { DURATION_HINT, parseDuration } from "./durations";
import type { SourceQuery } from "./minute-data";

/**
 * The body of POST /api/v1/alerts (and, merged over the stored rule, of PATCH), checked as a
 * whole: every problem is reported with its field (`query.metric`, `condition.threshold`,
 * `channels.1.url`), and nothing is saved unless there are none. Channel URLs go through the
 * outbound guard here (at save).
 */
export type RuleInput = {
  name: string;
  query: SourceQuery;
  window: string;
  condition: Record<string, unknown>;
  channels: (Prepared & { type: string })[];
  cooldown: string | null;
  muted: boolean;
  snoozedUntil: number | null;
};

const FIELDS = ["name", "query", "window", "condition", "channels", "cooldown", "muted", "snoozedUntil"];
const NOT_IN_ALERT_QUERY: Record<string, string> = {
  range: "an alert's query has no range: its window says how far back each evaluation looks",
  from: "an alert's query has no from/to: it is evaluated every minute over its window",
  to: "an alert's query has no from/to: it is evaluated every minute over its window",
  granularity: "an alert's query has no granularity: each evaluation is one value over the window",
  groupBy: "an alert watches one series: narrow it with filters instead of groupBy",
  groupLimit: "an alert watches one series: groupLimit does not apply",
};
const MAX_WINDOW_MS = 7 * 86_400_000;
const MAX_COOLDOWN_MS = 30 * 86_400_000;
const MAX_CHANNELS = 10;
export const NameSchema = displayNameSchema(100);

export async function validateRuleInput(raw: unknown, ctx: { product: QueryProduct; now: number; skipChannels?: boolean } & Omit<PrepareContext, "field">): Promise<RuleInput> {
  const errors: ItemError[] = [];
  const fail = (field: string, message: string) => void errors.push({ index: null, field, message });
  if (!isObject(raw)) throw invalid([{ index: null, field: "body", message: "The alert is a JSON object" }]);
  for (const key of Object.keys(raw)) if (!FIELDS.includes(key)) fail(key, `unknown field "${key}"`);

  const name = v.safeParse(NameSchema, raw.name);
  if (!name.success) fail("name", name.issues[0]!.message);

  const query = checkQuery(raw.query, ctx, fail);
  const windowMs = typeof raw.window === "string" ? parseDuration(raw.window) : null;
  if (windowMs === null) fail("window", `window is ${DURATION_HINT}`);
  else if (windowMs > MAX_WINDOW_MS) fail("window", "window is at most 7 days");

  const condition = checkCondition(raw.condition, windowMs, query, fail);

  let cooldown: string | null = null;
  if (raw.cooldown !== undefined && raw.cooldown !== null) {
    const ms = typeof raw.cooldown === "string" ? parseDuration(raw.cooldown) : null;
    if (ms === null) fail("cooldown", `cooldown is ${DURATION_HINT}`);
    else if (ms > MAX_COOLDOWN_MS) fail("cooldown", "cooldown is at most 30 days");
    else cooldown = raw.cooldown as string;
  }
  if (raw.muted !== undefined && typeof raw.muted !== "boolean") fail("muted", "muted is true or false");
  let snoozedUntil: number | null = null;
  if (raw.snoozedUntil !== undefined && raw.snoozedUntil !== null) {
    const t = typeof raw.snoozedUntil === "string" ? parseRfc3339(raw.snoozedUntil) : undefined;
    if (t === undefined) fail("snoozedUntil", `snoozedUntil is ${RFC3339_HINT}, or null`);
    else snoozedUntil = t;
  }

  const channels = ctx.skipChannels ? [] : await checkChannels(raw.channels, ctx, fail);
  if (errors.length) throw invalid(errors);
  return {
    name: name.output as string,
    query: query!,
    window: raw.window as string,
    condition: condition!,
    channels,
    cooldown,
    muted: raw.muted === true,
    snoozedUntil,
  };
}

const invalid = (errors: ItemError[]) => new AppError(400, "invalid_alert", errors[0]!.message, { field: errors[0]!.field ?? undefined, errors });

function checkQuery(raw: unknown, ctx: { product: QueryProduct; now: number }, fail: (f: string, m: string) => void): SourceQuery | null {
  if (!isObject(raw)) return fail("query", "query is the query engine's input: { metric, aggregation, filters?, timezone? }"), null;
  let ok = true;
  for (const [key, why] of Object.entries(NOT_IN_ALERT_QUERY)) if (key in raw) (fail(`query.${key}`, why), (ok = false));
  if (!ok) return null;
  try {
    resolveQuery({ ...raw, range: "1h" }, { timezone: ctx.product.timezone, now: ctx.now });
  } catch (err) {
    if (err instanceof AppError) return fail(`query.${err.field ?? ""}`.replace(/\.$/, ""), err.message), null;
    throw err;
  }
  const q = raw as SourceQuery;
  return { metric: q.metric, aggregation: q.aggregation, ...(q.filters ? { filters: q.filters } : {}), ...(q.timezone ? { timezone: q.timezone } : {}) };
}

function checkCondition(raw: unknown, windowMs: number | null, query: SourceQuery | null, fail: (f: string, m: string) => void): Record<string, unknown> | null {
  const kind = conditionKind(conditionTag(raw));
  if (!kind) {
    const kinds = CONDITION_KINDS.map((k) => (k.tag === "threshold" ? '{ op, value }' : k.tag)).join(", ");
    return fail("condition", `condition is one of: ${kinds} (as { anomaly: "zscore", … } or { inventory: "low_stock", … })`), null;
  }
  const r = v.safeParse(kind.schema, raw);
  if (!r.success) {
    for (const issue of r.issues) {
      const path = v.getDotPath(issue);
      fail(path ? `condition.${path}` : "condition", issueMessage(issue, path));
    }
    return null;
  }
  if (windowMs !== null && query) for (const [f, m] of kind.check?.(r.output, { windowMs, query }) ?? []) fail(f, m);
  return r.output as Record<string, unknown>;
}

async function checkChannels(raw: unknown, ctx: Omit<PrepareContext, "field">, fail: (f: string, m: string) => void): Promise<RuleInput["channels"]> {
  if (!Array.isArray(raw) || raw.length === 0) return fail("channels", `channels is a list of at least one of: ${CHANNEL_KINDS.map((k) => k.type).join(", ")}`), [];
  if (raw.length > MAX_CHANNELS) return fail("channels", `at most ${MAX_CHANNELS} channels`), [];
  const out: RuleInput["channels"] = [];
  for (const [i, ch] of raw.entries()) {
    const field = `channels.${i}`;
    const kind = channelKind(isObject(ch) ? ch.type : undefined);
    if (!kind) {
      fail(`${field}.type`, `type is one of ${CHANNEL_KINDS.map((k) => k.type).join(", ")}`);
      continue;
    }
    const r = v.safeParse(kind.schema, ch);
    if (!r.success) {
      const issue = r.issues[0]!;
      const path = v.getDotPath(issue);
      fail(path ? `${field}.${path}` : field, issueMessage(issue, path));
      continue;
    }
    try {
      out.push({ type: kind.type, ...(await kind.prepare(r.output, { ...ctx, field })) });
    } catch (err) {
      if (err instanceof AppError) fail(err.field ?? field, err.message);
      else throw err;
    }
  }
  return out;
}

/** valibot's words for an unknown or a missing key are about its internals; ours name the field. */
function issueMessage(issue: v.BaseIssue<unknown>, path: string | null): string {
  if (path && issue.expected === "never") return `unknown field "${path}"`;
  if (path && issue.kind === "schema" && (issue.type === "object" || issue.type === "strict_object") && issue.received === "undefined") return `${path} is required`;
  return issue.message;
}
