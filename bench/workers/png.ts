/**
 * R8, in a child pinned to the server core: the report's widget PNG path (query engine →
 * widget data → satori tree → satori → resvg) against a bare satori + resvg render of the same
 * card tree, built once from the same data (renderPng: same fonts and options). Env: DB, PRODUCT,
 * DASHBOARD (made by scenarios/dashboard.ts).
 */
import { openDatabase } from "../../src/db/connection";
import { getProduct } from "../../src/products/products";
import { listWidgets } from "../../src/dashboards/widgets";
import { runQuery } from "../../src/query/run";
import { renderPng, renderWidgetSnapshot } from "../../src/reports/snapshot";
import { snapshotWidget } from "../../src/reports/report-content";
import { widgetSnapshotTree } from "../../views/snapshots/widget";
import { serveWorker } from "../lib/rpc";

const db = openDatabase(process.env.DB!, { readonly: true });
const product = getProduct(db, process.env.PRODUCT!)!;
const widget = listWidgets(db, product.id, process.env.DASHBOARD!).find((w) => w.kind === "line")!;
const opts = { dashboardRange: null, timezone: product.timezone };
const run = (q: Parameters<typeof runQuery>[2]) => runQuery(db, product, q, Date.now());

async function widgetPng() {
  return (await renderWidgetSnapshot(await snapshotWidget(widget, run as never, opts))).png.length;
}

const view = await snapshotWidget(widget, run as never, opts);
const { tree, width, height } = widgetSnapshotTree(view);
// The floor is the project's own satori → resvg step (its SVG post-processing and resvg options
// included) on a tree already built: what remains of the ratio is the query and the data plumbing.
async function barePng() {
  return (await renderPng(tree, width, height)).png.length;
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;

// Widget and bare renders alternate, so a noisy moment hits both alike.
await serveWorker(async (msg: { runs: number }) => {
  await widgetPng();
  await barePng();
  const w: number[] = [];
  const b: number[] = [];
  let bytes = 0;
  const timed = async (fn: () => Promise<number>, into: number[]) => {
    const t = performance.now();
    const size = await fn();
    into.push(performance.now() - t);
    return size;
  };
  for (let i = 0; i < msg.runs; i++) {
    // Which one goes first swaps every time: the second of a pair may pay the first one's garbage.
    if (i % 2) bytes = await timed(widgetPng, w), await timed(barePng, b);
    else await timed(barePng, b), (bytes = await timed(widgetPng, w));
  }
  return { widget: median(w), bare: median(b), bytes, title: widget.title, size: `${width}×${height}` };
});
