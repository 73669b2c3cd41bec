import type { Child } from "hono/jsx";
import type { Node } from "../../../views/snapshots/tree";
import type { QueryInput, QueryResult } from "../../query/types";
import type { WidgetConfig } from "../widget-config";

/**
 * The shape every widget kind exports (STYLE.md 13: a kind is a registry entry). A kind says how
 * its config is read (`series`), turns the query engine's answer into its data, and draws that
 * data as the web card, as the PNG snapshot, as alt text and as plain text. Everything common —
 * the query, coarsening, error and empty states, the card frame — lives outside, once.
 */
export type RunQuery = (input: QueryInput) => QueryResult | Promise<QueryResult>;

/** A card's own URL state (the table's page and sort); kinds that have none ignore it. */
export type ViewState = { page?: number; sort?: { by?: string; dir?: string } };

export type DataContext = { run: RunQuery; input: QueryInput; result: QueryResult; config: WidgetConfig; state: ViewState };
export type CardContext = { config: WidgetConfig; periodLabel: string; url: string };
export type SnapshotContext = { width: number; height: number; compare: boolean; periodLabel: string };
export type TextContext = { title: string; rangeLabel: string; periodLabel: string; compare: boolean };

export type KindData<K extends string> = { kind: K; empty: boolean };

export type KindDef<K extends string, D extends KindData<K>> = {
  kind: K;
  /** The form's picker. */
  label: string;
  hint: string;
  /** The engine input's metric this kind always reads (an insight), in place of the one the form names. */
  metric?: string;
  /** Buckets over time and splits by tag: needs a granularity, may group by tags. */
  series: boolean;
  /** Draws "no data" itself (a number shows "–"); other kinds get the shared empty state. */
  drawsEmpty: boolean;
  /** One figure: its alt text may head the report mail's preview line. */
  headline: boolean;
  /** Grid columns on the dashboard. */
  span(config: WidgetConfig | null): "span-3" | "span-6" | "span-12";
  /** The card footer's words, where the metric and filters would say nothing to a person (a funnel's id). */
  describe?(config: WidgetConfig): string;
  data(ctx: DataContext): D | Promise<D>;
  card(data: D, ctx: CardContext): Child;
  /** `half`: half the email's column (two side by side); height(null) is the empty or error card's. */
  snapshot: { half: boolean; height(data: D | null): number; body(data: D, ctx: SnapshotContext): Node };
  alt(data: D, ctx: TextContext): string;
  text(data: D, ctx: TextContext): string[];
};

export const defineKind = <K extends string, D extends KindData<K>>(def: KindDef<K, D>): KindDef<K, D> => def;
