import * as v from "valibot";
import { FilterSchema } from "../query/events/parse";

/**
 * Inputs of the insights (active users, retention, sessions): the events filter of
 * metrics/query (namespace, event, properties, timeRange; default the last 30 days) plus each
 * insight's own knobs. Checked with parseWith (400 invalid_query naming the field).
 */
const Timezone = v.optional(v.string("timezone is an IANA name like Europe/Berlin"));
const Names = FilterSchema.entries.event;

export const ActiveUsersSchema = v.strictObject({ filter: v.optional(FilterSchema), timezone: Timezone }, "the query is a JSON object");

export const RetentionSchema = v.strictObject(
  {
    startEvent: Names,
    returnEvent: Names,
    period: v.optional(v.picklist(["day", "week", "month"], "period is day, week or month")),
    filter: v.optional(v.strictObject({ timeRange: FilterSchema.entries.timeRange }, "filter has timeRange only (startEvent and returnEvent name the events)")),
    timezone: Timezone,
  },
  "the query is a JSON object",
);

export const SessionsSchema = v.strictObject(
  {
    filter: v.optional(FilterSchema),
    timezone: Timezone,
    by: v.optional(v.picklist(["auto", "inactivity"], 'by is "auto" (session_id where events have one) or "inactivity"')),
    inactivityMinutes: v.optional(v.pipe(v.number(), v.integer("inactivityMinutes is a whole number"), v.minValue(1, "at least 1"), v.maxValue(1440, "at most 1440"))),
    groupBy: v.optional(v.picklist(["hour", "day", "week", "month"], "groupBy is hour, day, week or month")),
  },
  "the query is a JSON object",
);
