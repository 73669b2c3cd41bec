import satori from "satori";
import { renderAsync } from "@resvg/resvg-js";
import { assetBytes } from "../lib/assets";
import { widgetSnapshotTree, type SnapshotWidget } from "../../views/snapshots/widget";
import type { Node } from "../../views/snapshots/tree";

/**
 * Widget snapshots for report emails: satori lays out the card and turns every glyph into a path
 * (SVG), resvg rasterises it at 2× (crisp on high-density screens). Because all text is paths,
 * resvg needs no fonts, so a machine (or the compiled binary) with no system fonts draws the same
 * PNG. Inter comes from the assets module, which the build embeds; satori reads .woff, not .woff2.
 */
export const DENSITY = 2;
const WEIGHTS = [400, 500, 600, 700] as const;

type Font = { name: string; data: ArrayBuffer; weight: (typeof WEIGHTS)[number]; style: "normal" };
let fonts: Promise<Font[]> | null = null;

/** Read once per process; the promise is shared by concurrent renders. */
export function snapshotFonts(): Promise<Font[]> {
  fonts ??= Promise.all(
    WEIGHTS.map(async (weight) => {
      const bytes = await assetBytes(`static/vendor/fonts/inter-latin-${weight}-normal.woff`);
      return { name: "Inter", data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, weight, style: "normal" as const };
    }),
  ).catch((err) => {
    fonts = null; // a missing file is reported, and the next render tries again
    throw err;
  });
  return fonts;
}

export type Snapshot = { png: Uint8Array; width: number; height: number; ms: number };

/** A satori tree of `width`×`height` CSS px → PNG of twice that. */
export async function renderPng(tree: Node, width: number, height: number): Promise<Snapshot> {
  const started = performance.now();
  const svg = await satori(tree as never, { width, height, fonts: await snapshotFonts() });
  // renderAsync rasterises on libuv's thread pool: a report never stalls requests for its PNGs.
  const image = await renderAsync(svg, { fitTo: { mode: "zoom", value: DENSITY }, background: "#ffffff" });
  const png = new Uint8Array(image.asPng());
  return { png, width: width * DENSITY, height: height * DENSITY, ms: performance.now() - started };
}

export function renderWidgetSnapshot(widget: SnapshotWidget): Promise<Snapshot> {
  const { tree, width, height } = widgetSnapshotTree(widget);
  return renderPng(tree, width, height);
}
