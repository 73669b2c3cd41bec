import { assetBytes, listAssets } from "../lib/assets";
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

type Font = { name: string; data: ArrayBuffer; weight: 400 | 500 | 600 | 700; style: "normal" };
let fonts: Promise<Font[]> | null = null;

/**
 * Read once per process; the promise is shared by concurrent renders. Inter's Latin files are
 * "Inter"; the other vendored subsets (latin-ext, cyrillic, …) become families of their own
 * ("Inter latin-ext"), because satori falls back glyph by glyph only across family names
 * (FONT_STACK in views/snapshots/tree.ts lists them).
 */
export function snapshotFonts(): Promise<Font[]> {
  if (fonts) return fonts;
  const load = async (path: string, name: string, weight: Font["weight"]): Promise<Font> => {
    const bytes = await assetBytes(path);
    return { name, data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, weight, style: "normal" };
  };
  const extra = listAssets("static/vendor/fonts/").flatMap((path) => {
    const m = /\/inter-(.+)-(\d00)-normal\.woff$/.exec(path);
    return m && m[1] !== "latin" ? [{ path, name: `Inter ${m[1]}`, weight: Number(m[2]) as Font["weight"] }] : [];
  });
  fonts = Promise.all([
    ...WEIGHTS.map((weight) => load(`static/vendor/fonts/inter-latin-${weight}-normal.woff`, "Inter", weight)),
    ...extra.map((f) => load(f.path, f.name, f.weight)),
  ]).catch((err) => {
    fonts = null; // a missing file is reported, and the next render tries again
    throw err;
  });
  return fonts;
}

export type Snapshot = { png: Uint8Array; width: number; height: number; ms: number };

/**
 * satori and resvg are loaded at the first snapshot, not at boot: importing satori alone takes
 * ~200 ms, most of a cold start, and only report runs need it. The specifiers are literal, so
 * `bun build --compile` still bundles both into the binary.
 */
let loading: Promise<{ satori: typeof import("satori").default; renderAsync: typeof import("@resvg/resvg-js").renderAsync }> | null = null;
const renderers = () =>
  (loading ??= Promise.all([import("satori"), import("@resvg/resvg-js")]).then(([s, r]) => ({ satori: s.default, renderAsync: r.renderAsync })));

/** A satori tree of `width`×`height` CSS px → PNG of twice that. */
export async function renderPng(tree: Node, width: number, height: number): Promise<Snapshot> {
  const started = performance.now();
  const { satori, renderAsync } = await renderers();
  const svg = inlineSvgImages(await satori(tree as never, { width, height, fonts: await snapshotFonts() }));
  // renderAsync rasterises on libuv's thread pool: a report never stalls requests for its PNGs.
  // All text is paths already, so resvg need not scan the system's fonts (~3 ms a card).
  const image = await renderAsync(svg, { fitTo: { mode: "zoom", value: DENSITY }, background: "#ffffff", font: { loadSystemFonts: false } });
  const png = new Uint8Array(image.asPng());
  return { png, width: width * DENSITY, height: height * DENSITY, ms: performance.now() - started };
}

/**
 * satori embeds each <svg> element (our chart, the arrows) as <image href="data:image/svg+xml…">,
 * under a clip path and a mask (satori's overflow handling). A nested <svg> at the image's box
 * clips to its own viewport, so it needs neither: the same pixels (checked in the tests), ~30%
 * less time for a line card, because every mask is an extra full-size layer for resvg.
 */
export function inlineSvgImages(svg: string): string {
  return svg.replace(/<image ([^>]*?)\/>/g, (tag, attrs: string) => {
    const href = /\bhref="data:image\/svg\+xml;utf8,([^"]*)"/.exec(attrs);
    if (!href) return tag;
    let markup: string;
    try {
      markup = decodeURIComponent(href[1]!);
    } catch {
      return tag;
    }
    const inner = /^<svg([^>]*)>([\s\S]*)<\/svg>$/.exec(markup);
    if (!inner) return tag;
    const get = (name: string) => new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attrs)?.[1];
    const box = ["x", "y", "width", "height"].map((n) => `${n}="${get(n) ?? 0}"`).join(" ");
    const root = inner[1]!.replace(/\s(?:width|height|x|y)="[^"]*"/g, "");
    return `<svg ${box}${root}>${inner[2]}</svg>`;
  });
}

export function renderWidgetSnapshot(widget: SnapshotWidget): Promise<Snapshot> {
  const { tree, width, height } = widgetSnapshotTree(widget);
  return renderPng(tree, width, height);
}
