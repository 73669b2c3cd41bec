/**
 * Snapshot views are satori element trees: plain `{ type, props }` objects (satori does not take
 * hono/jsx output). These helpers keep the views readable. Colours are UI.md's light tokens,
 * written out because a PNG has no CSS variables.
 */
export type Style = Record<string, string | number>;
export type Node = { type: string; props: { style?: Style; children?: Child; [attr: string]: unknown } };
export type Child = Node | string | null | undefined | false | Child[];

export const TOKENS = {
  bg: "#ffffff",
  surface: "#f7f8fa",
  border: "#e4e7ec",
  grid: "#eef0f3",
  axis: "#d5d9e0",
  text: "#111827",
  muted: "#6b7280",
  accent: "#4f46e5",
  up: "#059669",
  down: "#dc2626",
} as const;

/** Inter first; its other subsets as separate families so satori falls back glyph by glyph (src/reports/snapshot.ts). */
export const FONT_STACK = "Inter, Inter latin-ext, Inter cyrillic, Inter greek, Inter vietnamese";

/** UI.md's series palette, in order: the web chart (static/charts.js) uses the same. */
export const PALETTE = ["#4f46e5", "#0891b2", "#d97706", "#db2777", "#16a34a", "#7c3aed", "#0d9488", "#ea580c"] as const;
export const seriesColor = (i: number) => PALETTE[i % PALETTE.length]!;

/** Satori lays out every multi-child div as flex: say so once here. */
export function box(style: Style, ...children: Child[]): Node {
  return { type: "div", props: { style: { display: "flex", ...style }, children: flat(children) } };
}

/** One run of text (satori turns it into paths, so resvg needs no fonts of its own). */
export function text(style: Style, content: string): Node {
  return { type: "div", props: { style: { display: "flex", ...style }, children: content } };
}

export function svg(width: number, height: number, ...children: Child[]): Node {
  return { type: "svg", props: { width, height, viewBox: `0 0 ${width} ${height}`, children: flat(children) } };
}

export function shape(type: string, attrs: Record<string, string | number>, ...children: Child[]): Node {
  return { type, props: children.length ? { ...attrs, children: flat(children) } : { ...attrs } };
}

function flat(children: Child[]): (Node | string)[] {
  const out: (Node | string)[] = [];
  const walk = (c: Child) => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach(walk);
    else out.push(c);
  };
  children.forEach(walk);
  return out;
}

/** Rough width of a label in Inter at `size` px: axis gutters are sized before satori lays out. */
export const textWidth = (s: string, size: number) => Math.ceil(s.length * size * 0.6) + 2;

/**
 * Shortens text to about `width` px with "…". Done here rather than with CSS overflow/ellipsis:
 * satori turns every overflow:hidden box into a mask, and each mask is a full-size layer for
 * resvg (a table of ellipsised cells took ~50 ms instead of ~30 ms to draw).
 */
export function ellipsize(s: string, width: number, size: number): string {
  const max = Math.floor((width - 2) / (size * 0.56));
  return s.length <= max ? s : s.slice(0, Math.max(1, max - 1)).trimEnd() + "…";
}
