import type { Granularity } from "../../query/types";
import type { KindData, KindDef } from "./kind";
import { lineKind } from "./line";
import { numberKind } from "./number";
import { tableKind } from "./table";
import { activeUsersKind } from "./active-users";
import { retentionKind } from "./retention";
import { funnelKind } from "./funnel";

/**
 * THE table of widget kinds. A new kind is one module exporting a KindDef and one line here;
 * the form, validation, query, web card, PNG snapshot, alt text and plain text all dispatch
 * through it. Order is the form's order.
 */
export const KINDS = { line: lineKind, number: numberKind, table: tableKind, active_users: activeUsersKind, retention: retentionKind, funnel: funnelKind } as const;

export type WidgetKind = keyof typeof KINDS;
export const WIDGET_KINDS = Object.keys(KINDS) as WidgetKind[];

type DataOf<T> = T extends KindDef<string, infer D> ? D : never;
/** What a card shows; `coarsened`: the granularity used when the configured one has too many buckets. */
export type WidgetData = { [K in WidgetKind]: DataOf<(typeof KINDS)[K]> }[WidgetKind] & { coarsened?: Granularity };

/**
 * A kind's entry for dispatch. Its data parameter is loosened to `any`: TypeScript cannot tie a
 * WidgetData value to the entry of its own `kind`; each module's data() is checked where it is
 * written, and loadWidgetData only ever hands an entry the data it made.
 */
export const kindDef = (kind: WidgetKind): KindDef<WidgetKind, KindData<WidgetKind> & Record<string, any>> => KINDS[kind] as never;
