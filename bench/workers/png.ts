/**
 * R8, in a child pinned to the server core: the report's widget PNG path (query engine →
 * widget data → satori tree → satori → resvg) against a bare satori + resvg render of the same
 * card tree, built once from the same data, with the same fonts and options. Env: DB, PRODUCT,
 * DASHBOARD (made by scenarios/dashboard.ts).
 */
import satori from "satori";
import { renderAsync } from "@resvg/resvg-js";
import { openDatabase } from "../../src/db/connection";
import { getProduct } from "../../src/products/products";
import { listWidgets } from "../../src/dashboards/widgets";
import { runQuery } from "../../src/query/run";
import { renderWidgetSnapshot, snapshotFonts, DENSITY } from "../../src/reports/snapshot";
import { snapshotWidget } from "../../src/reports/report-content";
import { widgetSnapshotTree } from "../../views/snapshots/widget";
import { serveWorker } from "../lib/rpc";

const db = openDatabase(process.env.DB!, { readonly: true });
const product = getProduct(db, process.env.PRODUCT!)!;
const widget = listWidgets(db, product.id, process.env.DASHBOARD!).find((w) => w.kind === "line")!;
const opts = { dashboardRange: null, timezone: product.timezone };
const run = (q: Parameters<typeof runQuery>[2]) => runQuery(db, product, q, Date.now());
const fonts = await snapshotFonts();

async function widgetPng() {
  return (await renderWidgetSnapshot(await snapshotWidget(widget, run as never, opts))).png.length;
}

const view = await snapshotWidget(widget, run as never, opts);
const { tree, width, height } = widgetSnapshotTree(view);
async function barePng() {
  const svg = await satori(tree as never, { width, height, fonts });
  return (await renderAsync(svg, { fitTo: { mode: "zoom", value: DENSITY }, background: "#ffffff" })).asPng().length;
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;

// Alternating widget and bare renders, so a noisy moment hits both alike.
await serveWorker(async (msg: { runs: number }) => {
  await widgetPng();
  await barePng();
  const w: number[] = [];
  const b: number[] = [];
  let bytes = 0;
  for (let i = 0; i < msg.runs; i++) {
    let t = performance.now();
    bytes = await widgetPng();
    w.push(performance.now() - t);
    t = performance.now();
    await barePng();
    b.push(performance.now() - t);
  }
  return { widget: median(w), bare: median(b), bytes, title: widget.title, size: `${width}×${height}` };
});
