import { AppError } from "../lib/errors";
import type { Aggregation, Granularity, TagFilter } from "../query/types";
import { datesToInstants, instantsToDates } from "./range";
import type { WidgetConfig } from "./widget-config";
import { KINDS, type WidgetKind } from "./kinds";
import { validateWidgetInput, type Widget, type WidgetInput } from "./widgets";
import type { FormErrors } from "../http/forms";
export type { FormErrors };

/**
 * The "Add widget" / "Edit widget" form: what its fields hold (to show it again with the user's
 * input and an error beside each field) and how they become a validated widget. Filters are rows
 * of key, operator and value; several "=" rows on one key mean "one of".
 */
export type FilterRow = { key: string; op: "is" | "not"; value: string };
export type WidgetFormValues = {
  kind: WidgetKind;
  title: string;
  metric: string;
  aggregation: Aggregation;
  granularity: Granularity;
  size: "half" | "full";
  rangeMode: "last" | "custom";
  rangeN: string;
  rangeUnit: "h" | "d" | "w" | "mo";
  rangeFrom: string; // YYYY-MM-DD in the product's zone
  rangeTo: string;
  filters: FilterRow[];
  groupBy: string;
  compare: boolean;
  /** The funnel kind's saved funnel (its id): the form's picker writes it as the filter `funnel`. */
  funnel: string;
};
type Body = Record<string, string | File | (string | File)[]>;

export function blankFormValues(): WidgetFormValues {
  return {
    kind: "line",
    title: "",
    metric: "",
    aggregation: "sum",
    granularity: "day",
    size: "half",
    rangeMode: "last",
    rangeN: "30",
    rangeUnit: "d",
    rangeFrom: "",
    rangeTo: "",
    filters: [],
    groupBy: "",
    compare: true,
    funnel: "",
  };
}

/** The form filled from a stored widget (Edit). */
export function formValuesOf(widget: Widget, timeZone: string): WidgetFormValues {
  const v = blankFormValues();
  const c = widget.config;
  v.kind = widget.kind;
  v.title = widget.title;
  if (!c) return v;
  Object.assign(v, { metric: c.metric, aggregation: c.aggregation, granularity: c.granularity ?? "day", size: c.size, compare: c.compare, groupBy: c.groupBy.join(", ") });
  if (c.range.kind === "last") Object.assign(v, { rangeMode: "last", rangeN: String(c.range.n), rangeUnit: c.range.unit });
  else {
    const { fromDate, toDate } = instantsToDates(c.range.from, c.range.to, timeZone);
    Object.assign(v, { rangeMode: "custom", rangeFrom: fromDate, rangeTo: toDate });
  }
  if (widget.kind === "funnel") {
    // The picker holds the funnel; it is not a filter row to edit by hand.
    const ref = c.filters.funnel;
    v.funnel = typeof ref === "string" ? ref : "";
    return v;
  }
  v.filters = Object.entries(c.filters).flatMap(([key, f]): FilterRow[] =>
    typeof f === "string" ? [{ key, op: "is", value: f }] : Array.isArray(f) ? f.map((value) => ({ key, op: "is", value })) : [{ key, op: "not", value: f.not }],
  );
  return v;
}

const text = (body: Body, name: string) => {
  const value = body[name];
  return typeof value === "string" ? value.trim() : "";
};
const list = (body: Body, name: string): string[] => {
  const value = body[name] ?? body[`${name}[]`];
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items.map((x) => (typeof x === "string" ? x.trim() : ""));
};
const pick = <T extends string>(value: string, allowed: readonly T[], fallback: T): T => ((allowed as readonly string[]).includes(value) ? (value as T) : fallback);

/** Reads the submitted fields (parsed with `parseBody({ all: true })`) without judging them. */
export function readWidgetForm(body: Body): WidgetFormValues {
  const keys = list(body, "filter_key");
  const ops = list(body, "filter_op");
  const values = list(body, "filter_value");
  return {
    kind: text(body, "kind") as WidgetKind,
    title: text(body, "title"),
    metric: text(body, "metric"),
    aggregation: text(body, "aggregation") as Aggregation,
    granularity: text(body, "granularity") as Granularity,
    size: pick(text(body, "size"), ["half", "full"], "half"),
    rangeMode: pick(text(body, "range_mode"), ["last", "custom"], "last"),
    rangeN: text(body, "range_n"),
    rangeUnit: pick(text(body, "range_unit"), ["h", "d", "w", "mo"], "d"),
    rangeFrom: text(body, "range_from"),
    rangeTo: text(body, "range_to"),
    filters: keys.map((key, i) => ({ key, op: ops[i] === "not" ? ("not" as const) : ("is" as const), value: values[i] ?? "" })).filter((f) => f.key || f.value),
    groupBy: text(body, "group_by"),
    compare: text(body, "compare") === "on" || text(body, "compare") === "1",
    funnel: text(body, "funnel"),
  };
}

/**
 * The funnel kind names its saved funnel from the picker (by id, so a rename keeps the widget);
 * the metric, aggregation and filter rows of other kinds do not apply to it.
 */
function funnelFields(values: WidgetFormValues, errors: FormErrors, funnels?: { id: string; name: string }[]): WidgetFormValues {
  if (values.kind !== "funnel") return values;
  if (!values.funnel) errors.funnel = "Pick a saved funnel";
  else if (funnels && !funnels.some((f) => f.id === values.funnel || f.name === values.funnel)) errors.funnel = "That funnel no longer exists: pick another";
  // Untitled, the widget is called what the funnel is called.
  const title = values.title || funnels?.find((f) => f.id === values.funnel || f.name === values.funnel)?.name || "";
  return { ...values, title, metric: "insight:funnel", aggregation: "count", groupBy: "", filters: values.funnel ? [{ key: "funnel", op: "is", value: values.funnel }] : [] };
}

/** The form's fields → a validated widget, or an AppError whose `errors` name the form fields. */
export function widgetInputFromForm(submitted: WidgetFormValues, timeZone: string, opts: { funnels?: { id: string; name: string }[] } = {}): WidgetInput {
  const errors: FormErrors = {};
  const values = funnelFields(submitted, errors, opts.funnels);
  let range: unknown;
  if (values.rangeMode === "custom") {
    const span = datesToInstants(values.rangeFrom, values.rangeTo, timeZone);
    if (span) range = { kind: "custom", ...span };
    else errors.range = "Pick a start and an end date (the end on or after the start)";
  } else {
    const n = Number(values.rangeN);
    if (!/^\d+$/.test(values.rangeN) || n < 1 || n > 1000) errors.range = "Enter a whole number from 1 to 1000";
    else range = { kind: "last", n, unit: values.rangeUnit };
  }
  const filters: Record<string, TagFilter> = {};
  for (const row of values.filters) {
    if (!row.key || !row.value) {
      errors.filters = "Each filter needs a tag and a value";
      continue;
    }
    const existing = filters[row.key];
    if (row.op === "not") {
      if (existing !== undefined) errors.filters = `Use either = or ≠ for “${row.key}”, not both`;
      else filters[row.key] = { not: row.value };
    } else if (existing === undefined) filters[row.key] = row.value;
    else if (typeof existing === "string") filters[row.key] = existing === row.value ? existing : [existing, row.value];
    else if (Array.isArray(existing)) filters[row.key] = existing.includes(row.value) ? existing : [...existing, row.value];
    else errors.filters = `Use either = or ≠ for “${row.key}”, not both`;
  }
  const groupBy = values.groupBy ? [...new Set(values.groupBy.split(",").map((k) => k.trim()).filter(Boolean))] : [];
  if (groupBy.length > 2) errors.group_by = "Split by at most two tags";
  const config = {
    metric: values.metric,
    aggregation: values.aggregation,
    granularity: KINDS[values.kind]?.series === false ? undefined : values.granularity || undefined,
    range,
    filters,
    groupBy,
    compare: values.compare,
    size: values.size,
  } satisfies Record<keyof WidgetConfig, unknown>;
  try {
    const input = validateWidgetInput({ kind: values.kind, title: values.title, config });
    if (Object.keys(errors).length) throw formError(errors);
    return input;
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "invalid_widget") throw err;
    for (const e of err.extra.errors ?? []) {
      const field = formField(e.field ?? "");
      errors[field] ??= e.message;
    }
    throw formError(errors);
  }
}

/** Schema paths ("range.n", "filters.country", "groupBy.0") → the form's input names. */
function formField(path: string): string {
  if (path.startsWith("range")) return "range";
  if (path.startsWith("filters")) return "filters";
  if (path.startsWith("groupBy")) return "group_by";
  return path || "form";
}

function formError(errors: FormErrors): AppError {
  const [field, message] = Object.entries(errors)[0] ?? ["form", "Invalid widget"];
  return new AppError(422, "invalid_widget", message ?? "Invalid widget", {
    field,
    errors: Object.entries(errors).map(([f, m]) => ({ index: null, field: f, message: m ?? "" })),
  });
}

