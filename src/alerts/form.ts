import type { RuleRow } from "./rules";
import { listChannels } from "./rules";
import type { Db } from "../db/connection";
import { channelKind } from "./channels";
import type { TagFilter } from "../query/types";

/**
 * The rule form of the pages, as flat string fields, and its translation into the API's body
 * (so the page and POST /api/v1/alerts share one validation) and back. Filters are lines of
 * `key=value` (repeat a key for "one of") or `key!=value`. Field errors of the body map back to
 * the form field they came from.
 */
export const FORM_FIELDS = [
  "name", "metric", "aggregation", "filters", "window", "kind", "op", "value", "threshold", "lookback", "factor", "weeks",
  "direction", "below", "sales_metric", "days", "lead_time", "safety_stock", "email_to", "email_digest", "slack_url",
  "webhook_url", "in_app", "cooldown",
] as const;
export type RuleForm = Record<(typeof FORM_FIELDS)[number], string>;

export const emptyRuleForm = (over: Partial<RuleForm> = {}): RuleForm => ({
  ...(Object.fromEntries(FORM_FIELDS.map((f) => [f, ""])) as RuleForm),
  aggregation: "sum",
  window: "1h",
  kind: "threshold",
  op: ">",
  threshold: "3",
  lookback: "7d",
  factor: "2",
  weeks: "4",
  direction: "both",
  days: "7",
  lead_time: "7",
  in_app: "on",
  ...over,
});

const num = (s: string) => (s.trim() === "" ? s : Number(s));

export function parseFilterLines(text: string): Record<string, TagFilter> {
  const out: Record<string, TagFilter> = {};
  for (const line of text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
    const not = /^([^=!]+)!=(.*)$/.exec(line);
    const eq = /^([^=!]+)=(.*)$/.exec(line);
    if (not) out[not[1]!.trim()] = { not: not[2]!.trim() };
    else if (eq) {
      const [k, v] = [eq[1]!.trim(), eq[2]!.trim()];
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : typeof prev === "string" ? [prev, v] : v;
    } else out[line] = "";
  }
  return out;
}

export function filterLines(filters: Record<string, TagFilter> | undefined): string {
  return Object.entries(filters ?? {})
    .flatMap(([k, f]) => (typeof f === "string" ? [`${k}=${f}`] : Array.isArray(f) ? f.map((x) => `${k}=${x}`) : [`${k}!=${f.not}`]))
    .join("\n");
}

/** Sales are read with the stock query's tag filters (the same SKU), where they are plain values. */
function conditionOf(f: RuleForm, filters: Record<string, TagFilter>): Record<string, unknown> {
  const plain = Object.fromEntries(Object.entries(filters).filter(([, v]) => typeof v === "string" || Array.isArray(v)));
  const sales = { metric: f.sales_metric.trim(), ...(Object.keys(plain).length ? { filters: plain } : {}) };
  switch (f.kind) {
    case "zscore":
      return { anomaly: "zscore", threshold: num(f.threshold), lookback: f.lookback, direction: f.direction || undefined };
    case "rolling_mean":
      return { anomaly: "rolling_mean", factor: num(f.factor), lookback: f.lookback };
    case "seasonal":
      return { anomaly: "seasonal", threshold: num(f.threshold), weeks: num(f.weeks), direction: f.direction || undefined };
    case "low_stock":
      return { inventory: "low_stock", below: num(f.below) };
    case "predicted_stockout":
      return { inventory: "predicted_stockout", sales, days: num(f.days) };
    case "reorder_point":
      return { inventory: "reorder_point", sales, leadTimeDays: num(f.lead_time), ...(f.safety_stock.trim() ? { safetyStock: num(f.safety_stock) } : {}) };
    default:
      return { op: f.op, value: num(f.value) };
  }
}

/** The API body for a form, and which form field each `channels.N` came from. */
export function formToBody(f: RuleForm): { body: Record<string, unknown>; channelFields: string[] } {
  const channels: unknown[] = [];
  const channelFields: string[] = [];
  const emails = f.email_to.split(/[\s,;]+/).filter(Boolean);
  if (emails.length) (channels.push({ type: "email", to: emails, digest: f.email_digest || "off" }), channelFields.push("email_to"));
  if (f.slack_url.trim()) (channels.push({ type: "slack", url: f.slack_url.trim() }), channelFields.push("slack_url"));
  if (f.webhook_url.trim()) (channels.push({ type: "webhook", url: f.webhook_url.trim() }), channelFields.push("webhook_url"));
  if (f.in_app) (channels.push({ type: "in_app" }), channelFields.push("in_app"));
  const filters = parseFilterLines(f.filters);
  const body = {
    name: f.name,
    query: { metric: f.metric.trim(), aggregation: f.aggregation, ...(Object.keys(filters).length ? { filters } : {}) },
    window: f.window.trim(),
    condition: conditionOf(f, filters),
    channels,
    cooldown: f.cooldown.trim() || null,
  };
  return { body: JSON.parse(JSON.stringify(body)), channelFields };
}

const CONDITION_FIELDS: Record<string, string> = {
  op: "op", value: "value", threshold: "threshold", lookback: "lookback", factor: "factor", weeks: "weeks", direction: "direction",
  below: "below", sales: "sales_metric", "sales.metric": "sales_metric", days: "days", leadTimeDays: "lead_time", safetyStock: "safety_stock",
};

/** The form field an API error field belongs to. */
export function formFieldOf(apiField: string, channelFields: string[]): string {
  if (apiField.startsWith("query.filters")) return "filters";
  if (apiField === "query.aggregation") return "aggregation";
  if (apiField.startsWith("query")) return "metric";
  if (apiField.startsWith("condition.")) return CONDITION_FIELDS[apiField.slice("condition.".length).split(".").slice(0, 2).join(".")] ?? CONDITION_FIELDS[apiField.split(".")[1]!] ?? "kind";
  if (apiField === "condition") return "kind";
  const ch = /^channels\.(\d+)/.exec(apiField);
  if (ch) return channelFields[Number(ch[1])] ?? "channels";
  return apiField;
}

/**
 * A stored rule as form fields. Channel URLs are shown masked, as the API shows them (a Slack URL
 * is its credential; a webhook URL's token is hidden): saved back unchanged they keep the stored
 * channel (its prepare step recognises its own masked URL).
 */
export function ruleToForm(db: Db, secret: string, rule: RuleRow): RuleForm {
  const query = JSON.parse(rule.query);
  const c = JSON.parse(rule.condition);
  const f = emptyRuleForm({ name: rule.name, metric: query.metric, aggregation: query.aggregation, filters: filterLines(query.filters), window: rule.window, cooldown: rule.cooldown ?? "", in_app: "" });
  if (c.anomaly) Object.assign(f, { kind: c.anomaly, threshold: String(c.threshold ?? f.threshold), lookback: c.lookback ?? f.lookback, factor: String(c.factor ?? f.factor), weeks: String(c.weeks ?? f.weeks), direction: c.direction ?? "both" });
  else if (c.inventory) Object.assign(f, { kind: c.inventory, below: String(c.below ?? ""), sales_metric: c.sales?.metric ?? "", days: String(c.days ?? f.days), lead_time: String(c.leadTimeDays ?? f.lead_time), safety_stock: c.safetyStock === undefined ? "" : String(c.safetyStock) });
  else Object.assign(f, { kind: "threshold", op: c.op, value: String(c.value) });
  for (const ch of listChannels(db, rule.id)) {
    if (ch.type === "email") Object.assign(f, { email_to: (ch.config.to as string[]).join(", "), email_digest: String(ch.config.digest ?? "off") });
    if (ch.type === "slack" || ch.type === "webhook") f[ch.type === "slack" ? "slack_url" : "webhook_url"] = String(channelKind(ch.type)!.present(ch, secret).url);
    if (ch.type === "in_app") f.in_app = "on";
  }
  return f;
}
