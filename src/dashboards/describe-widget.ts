import type { TagFilter } from "../query/types";
import { kindDef } from "./kinds";
import type { Widget } from "./widgets";

/**
 * "signups · sum · by day · country = US · split by plan": a card's footer on the web and in the
 * PNG. `coarsened` names the granularity used when the configured one was too fine for the range;
 * `not` is how "is not" is written (the PNG's Inter subset has no "≠").
 */
export function describeWidget(widget: Widget, opts: { coarsened?: string; not: string }): string {
  const c = widget.config!;
  const own = kindDef(widget.kind).describe;
  if (own) return own(c);
  const series = kindDef(widget.kind).series;
  const parts: string[] = [c.metric, c.aggregation];
  if (series && c.granularity) parts.push(opts.coarsened ? `by ${opts.coarsened} (${c.granularity} is too fine for this range)` : `by ${c.granularity}`);
  for (const [key, filter] of Object.entries(c.filters)) parts.push(describeFilter(key, filter, opts.not));
  if (series && c.groupBy.length) parts.push(`split by ${c.groupBy.join(", ")}`);
  return parts.join(" · ");
}

function describeFilter(key: string, filter: TagFilter, not: string): string {
  if (typeof filter === "string") return `${key} = ${filter}`;
  if (Array.isArray(filter)) return `${key} = ${filter.join(" or ")}`;
  return `${key} ${not} ${filter.not}`;
}
