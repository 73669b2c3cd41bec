import type { Db } from "../db/connection";
import type { PropertyMatch } from "../goals/property-match";
import { eventsReaderFor } from "../storage";
import type { FunnelRow } from "../storage/events-plane";
import { badRequest } from "../lib/errors";
import type { StepMatch } from "./engine";
import { webFunnelSource } from "./web-source";
import type { Hit } from "../web/query/filters";

/**
 * Where a funnel's matches come from, one entry per kind of entity (a registry): per `user`
 * (`context.user_id` of product events) or per web `visitor` (the tracker's hits, web-source.ts). Each reads only the events that match
 * some step, already ordered by entity and time, and marks which steps each one matches — the
 * engine never sees a row that matches nothing.
 */
export type EntityKind = "visitor" | "user";
export type ResolvedStep =
  | { name: string; event: string; properties: PropertyMatch | null }
  | { name: string; page: string }
  /** The start of a web visit (time to convert: visit → goal); not a step of the public API. */
  | { name: string; visitStart: true };
export type EntityMatches = { entity: string; matches: StepMatch[]; breakdown: string | null };
export type FunnelSource = {
  /** Entities one at a time (the rows are streamed, never all held at once). */
  read(db: Db, productId: string, steps: ResolvedStep[], span: { from: number; to: number }, breakdown: string | null, keepHit?: (h: Hit) => boolean): Iterable<EntityMatches>;
};

/**
 * `keepHit` (web visitors only): a hit that matches a step counts only when it passes (the web
 * dashboard's filters, for a goal's time to convert under them).
 */

/** Product events per user (`context.user_id`), from the data plane. */
const eventsSource: FunnelSource = {
  read(db, productId, steps, span, breakdown) {
    const eventSteps = steps.map((s, i) => {
      if (!("event" in s)) throw badRequest("invalid_funnel", "page steps are read from web analytics page views", `steps.${i}.page`);
      return s;
    });
    return groupRows(eventsReaderFor(db.$client).funnelRows(productId, eventSteps, span, breakdown));
  },
};

type Row = FunnelRow;

/** Rows ordered by entity → one list of matches per entity; breakdown from its first first-step row. */
function* groupRows(rows: Iterable<Row>): Generator<EntityMatches> {
  let current: EntityMatches | null = null;
  for (const r of rows) {
    if (!current || current.entity !== r.entity) {
      if (current) yield current;
      current = { entity: r.entity, matches: [], breakdown: null };
    }
    current.matches.push({ ts: r.ts, mask: r.mask });
    if (current.breakdown === null && r.mask & 1) current.breakdown = r.b ?? "";
  }
  if (current) yield current;
}

export const FUNNEL_SOURCES: Record<EntityKind, FunnelSource> = {
  user: eventsSource,
  visitor: webFunnelSource,
};
