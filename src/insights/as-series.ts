import type { Database } from "bun:sqlite";
import { AppError } from "../lib/errors";
import { formatInZone } from "../lib/time/calendar";
import { startOfLocalDate, parseLocalDate } from "../lib/time/dates";
import { resolveQuery } from "../query/parse";
import type { QueryInput, QueryResult } from "../query/types";
import { activeUsers } from "./active-users";
import { retention } from "./retention";
import { listFunnels } from "../funnels/saved";
import { runFunnel } from "../funnels/funnel";

/**
 * Insights in the points engine's answer shape, so widget kinds and reports draw them like any
 * query: `insight:active_users` is three series (DAU, WAU, MAU) by day; `insight:retention` one
 * series per cohort whose points are the share retained in each period after it (the widget's
 * granularity is the period; tag filters `start_event` / `return_event` name the events);
 * `insight:funnel` one series per step of the saved funnel the tag filter `funnel` names (its id
 * or name), whose value is the visitors or users who reached it — the same engine as
 * `POST /api/v1/insights/funnel`, over the widget's range.
 */
export const INSIGHT_METRICS = ["insight:active_users", "insight:retention", "insight:funnel"] as const;
export const isInsightRef = (metric: string) => (INSIGHT_METRICS as readonly string[]).includes(metric);

export function runInsightAsSeries(db: { $client: Database }, product: { id: string; timezone: string }, input: QueryInput, now: number): QueryResult {
  const q = resolveQuery({ ...input, aggregation: input.aggregation ?? "count" }, { timezone: product.timezone, now });
  const timeRange = { start: new Date(q.from).toISOString(), end: new Date(q.to).toISOString() };
  const one = (key: string) => {
    const c = q.conditions.find((x) => x.key === key && x.op === "in");
    return c ? c.values : undefined;
  };
  const base = { metric: input.metric, aggregation: input.aggregation, from: formatInZone(q.zone, q.from, true), to: formatInZone(q.zone, q.to, true), timezone: q.zone };
  const dayStart = (date: string) => startOfLocalDate(parseLocalDate(date)!, q.zone);
  if (input.metric === "insight:active_users") {
    const events = one("event");
    const au = activeUsers(db, product, { filter: { timeRange, ...(events ? { event: events } : {}) }, timezone: q.zone }, now);
    const series = (["dau", "wau", "mau"] as const).map((k) => ({ tags: { measure: k.toUpperCase() }, points: au.days.map((d) => ({ t: formatInZone(q.zone, dayStart(d.date)), v: d[k] })) }));
    return { ...base, granularity: "day", series };
  }
  if (input.metric === "insight:funnel") {
    const ref = one("funnel")?.[0];
    if (!ref) throw new AppError(400, "invalid_query", "Name the saved funnel: the filter funnel = <its name or id>", { field: "filters" });
    const saved = listFunnels(db as never, product.id).find((f) => f.id === ref || f.name === ref);
    if (!saved) throw new AppError(400, "invalid_query", `No saved funnel named "${ref}"`, { field: "filters" });
    const answer = runFunnel(db as never, product, { ...saved.definition, date_range: [new Date(q.from).toISOString(), new Date(q.to - 1).toISOString()] }, now);
    // `by` says what was counted (visitors or users), so the card names them right.
    const series = answer.steps.map((s, i) => ({ tags: { step: `${i + 1}. ${s.name}`, by: answer.by }, points: [], value: s.visitors }));
    return { ...base, granularity: null, series };
  }
  const period = q.granularity ?? "week";
  if (period !== "day" && period !== "week" && period !== "month") throw new AppError(400, "invalid_query", "A retention widget's granularity is day, week or month", { field: "granularity" });
  const r = retention(db, product, { startEvent: one("start_event"), returnEvent: one("return_event"), period, filter: { timeRange }, timezone: q.zone }, now);
  const series = r.cohorts.map((c) => ({ tags: { cohort: c.cohort }, points: c.rates.map((v, k) => ({ t: String(k), v })), value: c.users }));
  return { ...base, granularity: period, series };
}
