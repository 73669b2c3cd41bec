import { AppError } from "../../lib/errors";
import { isObject } from "../../lib/names";
import { checkDateRange } from "./range";
import {
  EVENT_DIMENSIONS, FILTER_OPS, isEventDim, isTimeDim, METRICS, TIME_DIMENSIONS, VISIT_DIMENSIONS,
  type Dimension, type Filter, type FilterOp, type Metric, type WebQuery,
} from "./types";

/**
 * A Stats API v2 body, checked as Plausible checks it (its messages, where it has them), with
 * every refusal a 400 `invalid_query` naming the field.
 */
const fault = (message: string, field: string) => new AppError(400, "invalid_query", message, { field });
const KEYS = new Set(["site_id", "metrics", "date_range", "dimensions", "filters", "order_by", "include", "pagination", "date"]);
const MAX_LIMIT = 10_000;
const SESSION_METRICS = new Set<Metric>(["visits", "bounce_rate", "visit_duration", "views_per_visit"]);
const known = new Set<string>([...VISIT_DIMENSIONS, ...EVENT_DIMENSIONS, ...TIME_DIMENSIONS]);

const isDimension = (d: unknown): d is string => typeof d === "string" && (known.has(d) || (d.startsWith("event:props:") && d.length > 12 && d.length <= 312));

export function parseWebQuery(input: unknown): WebQuery {
  if (!isObject(input)) throw fault("The body must be a JSON object", "query");
  for (const k of Object.keys(input)) if (!KEYS.has(k)) throw fault(`Unknown field "${k}"`, k);
  const siteId = input.site_id === undefined ? null : input.site_id;
  if (siteId !== null && typeof siteId !== "string") throw fault('"site_id" must be the site\'s domain', "site_id");
  const metrics = input.metrics;
  if (!Array.isArray(metrics) || metrics.length === 0) throw fault('"metrics" must be a non-empty list, e.g. ["visitors"]', "metrics");
  for (const m of metrics) if (!METRICS.includes(m)) throw fault(`Unknown metric ${JSON.stringify(m)}`, "metrics");
  if (new Set(metrics).size !== metrics.length) throw fault("Metrics cannot be queried multiple times", "metrics");
  const dateRange = checkDateRange(input.date_range);
  const dimensions = input.dimensions ?? [];
  if (!Array.isArray(dimensions)) throw fault('"dimensions" must be a list', "dimensions");
  for (const d of dimensions) if (!isDimension(d)) throw fault(`Invalid dimension ${JSON.stringify(d)}`, "dimensions");
  if (new Set(dimensions).size !== dimensions.length) throw fault("Some dimensions are listed more than once", "dimensions");
  if (dimensions.filter(isTimeDim).length > 1) throw fault("Only one time dimension can be used", "dimensions");
  const rawFilters = input.filters ?? [];
  if (!Array.isArray(rawFilters)) throw fault('"filters" must be a list', "filters");
  const filters = rawFilters.map((f) => parseFilter(f, 0));
  const q: WebQuery = {
    siteId,
    metrics: metrics as Metric[],
    dateRange,
    dimensions: dimensions as Dimension[],
    filters,
    rawFilters,
    orderBy: parseOrderBy(input.order_by, metrics as string[], dimensions as string[]),
    include: parseInclude(input.include),
    pagination: parsePagination(input.pagination),
  };
  validate(q);
  return q;
}

function parseFilter(f: unknown, depth: number): Filter {
  if (!Array.isArray(f) || f.length < 2) throw fault(`Invalid filter ${JSON.stringify(f)}`, "filters");
  const op = f[0];
  if (op === "and" || op === "or") {
    if (!Array.isArray(f[1]) || f[1].length === 0 || f.length !== 2) throw fault(`Invalid filter ${JSON.stringify(f)}: "${op}" takes a list of filters`, "filters");
    return { op, filters: f[1].map((x: unknown) => parseFilter(x, depth + 1)) };
  }
  if (op === "not") {
    if (f.length !== 2) throw fault(`Invalid filter ${JSON.stringify(f)}: "not" takes one filter`, "filters");
    return { op, filter: parseFilter(f[1], depth + 1) };
  }
  if (!FILTER_OPS.includes(op)) throw fault(`Invalid filter operator ${JSON.stringify(op)}`, "filters");
  const [, dim, values, modifiers] = f;
  if (!isDimension(dim) || isTimeDim(dim)) throw fault(`Invalid filter dimension ${JSON.stringify(dim)}`, "filters");
  if (depth > 0 && (dim === "event:goal" || dim === "event:hostname")) throw fault(`Invalid filters. Dimension \`${dim}\` can only be filtered at the top level.`, "filters");
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "string" || typeof v === "number"))
    throw fault(`Invalid filter ${JSON.stringify(f)}: the values are a non-empty list of strings`, "filters");
  if (f.length > 4 || (modifiers !== undefined && !isObject(modifiers))) throw fault(`Invalid filter ${JSON.stringify(f)}`, "filters");
  const cs = (modifiers as { case_sensitive?: unknown } | undefined)?.case_sensitive;
  if (cs !== undefined && typeof cs !== "boolean") throw fault('"case_sensitive" must be true or false', "filters");
  const strings = values.map(String);
  if (op === "matches" || op === "matches_not") {
    for (const v of strings) {
      try {
        new RegExp(v);
      } catch {
        throw fault(`Invalid regular expression ${JSON.stringify(v)}`, "filters");
      }
    }
  }
  return { op: op as FilterOp, dim, values: strings, caseSensitive: cs ?? true };
}

function parseOrderBy(v: unknown, metrics: string[], dimensions: string[]): WebQuery["orderBy"] {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw fault('"order_by" must be a list of [name, "asc"|"desc"]', "order_by");
  return v.map((entry) => {
    if (!Array.isArray(entry) || entry.length !== 2 || (entry[1] !== "asc" && entry[1] !== "desc")) throw fault(`Invalid order_by entry ${JSON.stringify(entry)}`, "order_by");
    if (!metrics.includes(entry[0]) && !dimensions.includes(entry[0]))
      throw fault(`Invalid order_by entry ${JSON.stringify(entry)}. Entry is not a queried metric or dimension.`, "order_by");
    return [entry[0], entry[1]] as [string, "asc" | "desc"];
  });
}

function parseInclude(v: unknown): WebQuery["include"] {
  if (v === undefined || v === null) return { totalRows: false, timeLabels: false, imports: false };
  if (!isObject(v)) throw fault('"include" must be an object', "include");
  for (const k of Object.keys(v)) if (!["total_rows", "time_labels", "imports", "comparisons"].includes(k)) throw fault(`Unknown include "${k}"`, "include");
  for (const k of ["total_rows", "time_labels", "imports"]) if (v[k] !== undefined && typeof v[k] !== "boolean") throw fault(`"include.${k}" must be true or false`, "include");
  return { totalRows: v.total_rows === true, timeLabels: v.time_labels === true, imports: v.imports === true };
}

function parsePagination(v: unknown): WebQuery["pagination"] {
  if (v === undefined || v === null) return { limit: MAX_LIMIT, offset: 0 };
  if (!isObject(v)) throw fault('"pagination" must be { limit, offset }', "pagination");
  const limit = v.limit ?? MAX_LIMIT;
  const offset = v.offset ?? 0;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw fault(`"pagination.limit" must be a whole number from 1 to ${MAX_LIMIT}`, "pagination");
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) throw fault('"pagination.offset" must be a whole number ≥ 0', "pagination");
  return { limit, offset };
}

export function filterDims(filters: Filter[]): string[] {
  const out: string[] = [];
  const walk = (f: Filter) => {
    if ("filters" in f) f.filters.forEach(walk);
    else if ("filter" in f) walk(f.filter);
    else out.push(f.dim);
  };
  filters.forEach(walk);
  return out;
}

/** Plausible's combination rules (its messages). */
function validate(q: WebQuery) {
  const fdims = filterDims(q.filters);
  const hasGoal = q.dimensions.includes("event:goal") || fdims.includes("event:goal");
  if (q.metrics.includes("conversion_rate") && !hasGoal) throw fault("Metric `conversion_rate` can only be queried with event:goal filters or dimensions.", "metrics");
  const hasPage = q.dimensions.includes("event:page") || q.filters.some((f) => (f as { dim?: string }).dim === "event:page");
  for (const m of ["scroll_depth", "time_on_page"] as const)
    if (q.metrics.includes(m) && !hasPage) throw fault(`Metric \`${m}\` can only be queried with event:page filters or dimensions.`, "metrics");
  if (q.metrics.includes("views_per_visit")) {
    if (fdims.includes("event:page")) throw fault("Metric `views_per_visit` cannot be queried with a filter on `event:page`.", "metrics");
    if (q.dimensions.length > 0) throw fault("Metric `views_per_visit` cannot be queried with `dimensions`.", "metrics");
  }
  const session = q.metrics.filter((m) => SESSION_METRICS.has(m));
  if (session.length && q.dimensions.some((d) => isEventDim(d) && d !== "event:page"))
    throw fault(`Session metric(s) \`${session.join(", ")}\` cannot be queried along with event dimensions.`, "metrics");
  if (q.include.timeLabels && !q.dimensions.some(isTimeDim)) throw fault("Invalid include.time_labels: requires a time dimension.", "include");
}
