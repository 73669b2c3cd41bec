import type { WidgetData } from "../../src/dashboards/widget-data";
import type { WidgetKind } from "../../src/dashboards/widget-config";
import { bodySize, cardFrame, emptyBody, problemBody } from "./card";
import { lineBody } from "./line";
import { numberBody } from "./number";
import { tableBody, tableBodyHeight } from "./table";
import type { Node } from "./tree";

/**
 * One widget as a PNG-ready satori tree and its size in CSS pixels (the PNG is twice that).
 * Takes the same WidgetData the HTML card gets from loadWidgetData (the one read path).
 * Widths fit the 600 px email's 550 px column: charts and tables take it whole, numbers half of
 * it (two per row, 16 px apart).
 */
export const FULL_WIDTH = 550;
export const HALF_WIDTH = 267;
export const COLUMN_GAP = 16;
export const LINE_HEIGHT = 320;
export const NUMBER_HEIGHT = 156;
export const EMPTY_TABLE_HEIGHT = 220;
const CARD_CHROME_H = NUMBER_HEIGHT - bodySize(HALF_WIDTH, NUMBER_HEIGHT).height;

export type SnapshotWidget = {
  kind: WidgetKind;
  title: string;
  rangeLabel: string; // "Last 7 days"
  footer: string; // "signups · sum · by day · country = US"
  body: { data: WidgetData; periodLabel: string; metric: string; filtered: boolean; compare: boolean } | { error: string };
};

export type SnapshotTree = { tree: Node; width: number; height: number };

export function widgetSnapshotTree(w: SnapshotWidget): SnapshotTree {
  const width = w.kind === "number" ? HALF_WIDTH : FULL_WIDTH;
  const height = snapshotHeight(w);
  const inner = bodySize(width, height);
  const body = (() => {
    if ("error" in w.body) return problemBody(w.body.error);
    const { data } = w.body;
    if (data.kind === "number") return numberBody(data.number, { compare: w.body.compare, periodLabel: w.body.periodLabel });
    if (data.empty) return emptyBody({ metric: w.body.metric, filtered: w.body.filtered });
    if (data.kind === "table") return tableBody(data.table, data.granularity, inner.width);
    return lineBody(data.chart, inner.width, inner.height);
  })();
  return { tree: cardFrame({ width, height, title: w.title, aside: w.rangeLabel, footer: w.footer, body }), width, height };
}

export function snapshotHeight(w: SnapshotWidget): number {
  if (w.kind === "number") return NUMBER_HEIGHT;
  if (w.kind === "line") return LINE_HEIGHT;
  if ("error" in w.body || w.body.data.kind !== "table" || w.body.data.empty) return EMPTY_TABLE_HEIGHT;
  return CARD_CHROME_H + tableBodyHeight(w.body.data.table);
}
