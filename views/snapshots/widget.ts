import type { WidgetData } from "../../src/dashboards/widget-data";
import { kindDef, type WidgetKind } from "../../src/dashboards/kinds";
import { bodySize, cardFrame, emptyBody, problemBody } from "./card";
import { FULL_WIDTH, HALF_WIDTH } from "./sizes";
import type { Node } from "./tree";

export { FULL_WIDTH, HALF_WIDTH } from "./sizes";

/**
 * One widget as a PNG-ready satori tree and its size in CSS pixels (the PNG is twice that).
 * Takes the same WidgetData the HTML card gets from loadWidgetData (the one read path); the
 * card frame, error and empty states are shared, the body and size are the kind's (kinds/).
 */
export type SnapshotWidget = {
  kind: WidgetKind;
  title: string;
  rangeLabel: string; // "Last 7 days"
  footer: string; // "signups · sum · by day · country = US"
  body: { data: WidgetData; periodLabel: string; metric: string; filtered: boolean; compare: boolean } | { error: string };
};

export type SnapshotTree = { tree: Node; width: number; height: number };

export function widgetSnapshotTree(w: SnapshotWidget): SnapshotTree {
  const kind = kindDef(w.kind);
  const width = kind.snapshot.half ? HALF_WIDTH : FULL_WIDTH;
  const height = snapshotHeight(w);
  const inner = bodySize(width, height);
  const body = (() => {
    if ("error" in w.body) return problemBody(w.body.error);
    const { data } = w.body;
    if (data.empty && !kind.drawsEmpty) return emptyBody({ metric: w.body.metric, filtered: w.body.filtered });
    return kind.snapshot.body(data, { ...inner, compare: w.body.compare, periodLabel: w.body.periodLabel });
  })();
  return { tree: cardFrame({ width, height, title: w.title, aside: w.rangeLabel, footer: w.footer, body }), width, height };
}

export function snapshotHeight(w: SnapshotWidget): number {
  const kind = kindDef(w.kind);
  const drawn = !("error" in w.body) && (kind.drawsEmpty || !w.body.data.empty) ? w.body.data : null;
  return kind.snapshot.height(drawn);
}
