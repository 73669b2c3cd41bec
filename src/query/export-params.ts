import { badRequest } from "../lib/errors";
import type { TagFilter } from "./types";

/**
 * The export's URL parameters → the query engine's input (DESIGN.md: `metric`, `from`, `to` or
 * `range`, `timezone`, `filter.<tag>=<value>` repeated for "one of", `filter_not.<tag>=<value>`)
 * and the product a member names. Unknown parameters are refused so a typo does not silently
 * export everything.
 */
const SINGLE = new Set(["metric", "from", "to", "range", "timezone", "product"]);

export function exportInput(params: URLSearchParams): { product: string | undefined; input: Record<string, unknown> } {
  const input: Record<string, unknown> = {};
  const filters = new Map<string, TagFilter>();
  let product: string | undefined;
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    if (SINGLE.has(name)) {
      if (values.length > 1) throw badRequest("invalid_query", `give ${name} once`, name);
      if (name === "product") product = values[0];
      else input[name] = values[0];
    } else if (name.startsWith("filter.")) {
      const key = name.slice("filter.".length);
      if (filters.has(key)) throw badRequest("invalid_query", `filter.${key} and filter_not.${key} cannot be combined`, name);
      filters.set(key, values.length === 1 ? values[0]! : values);
    } else if (name.startsWith("filter_not.")) {
      const key = name.slice("filter_not.".length);
      if (filters.has(key)) throw badRequest("invalid_query", `filter.${key} and filter_not.${key} cannot be combined`, name);
      if (values.length > 1) throw badRequest("invalid_query", `give ${name} once`, name);
      filters.set(key, { not: values[0]! });
    } else {
      throw badRequest("invalid_query", `unknown parameter "${name}"`, name);
    }
  }
  // A Map, then an object with a null prototype: a "__proto__" key stays a key and the query schema refuses it.
  if (filters.size) input.filters = Object.assign(Object.create(null), Object.fromEntries(filters));
  return { product, input };
}
