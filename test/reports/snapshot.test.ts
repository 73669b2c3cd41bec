import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import satori from "satori";
import { Resvg } from "@resvg/resvg-js";
import { inlineSvgImages, renderWidgetSnapshot, snapshotFonts } from "../../src/reports/snapshot";
import { niceTicks, tickIndices } from "../../views/snapshots/scale";
import { snapshotHeight, widgetSnapshotTree, FULL_WIDTH, HALF_WIDTH } from "../../views/snapshots/widget";
import { PALETTE } from "../../views/snapshots/tree";
import { FIXTURES } from "./snapshot-fixtures";
import { countPixels, decodePng, near } from "./png";

const ARTIFACTS = join(import.meta.dir, "../artifacts/reports");

describe("widget snapshots", () => {
  test("fonts load through the assets module (what the compiled binary embeds), as .woff", async () => {
    const fonts = await snapshotFonts();
    expect(fonts.filter((f) => f.name === "Inter").map((f) => f.weight)).toEqual([400, 500, 600, 700]);
    expect(new Set(fonts.map((f) => f.name))).toEqual(new Set(["Inter", "Inter latin-ext", "Inter cyrillic", "Inter greek", "Inter vietnamese"]));
    for (const f of fonts) expect(new TextDecoder().decode(new Uint8Array(f.data).subarray(0, 4))).toBe("wOFF");
  });

  test("every kind renders a PNG at 2× its card size, with ink where its body is", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const timings: string[] = [];
    for (const [name, widget] of Object.entries(FIXTURES)) {
      const snap = await renderWidgetSnapshot(widget);
      writeFileSync(join(ARTIFACTS, `fixture-${name}.png`), snap.png);
      timings.push(`${name} ${snap.ms.toFixed(0)} ms`);
      const png = decodePng(snap.png);
      const width = widget.kind === "number" ? HALF_WIDTH : FULL_WIDTH;
      expect([png.width, png.height]).toEqual([width * 2, snapshotHeight(widget) * 2]);
      expect([snap.width, snap.height]).toEqual([png.width, png.height]);
      // The body: below the title row, above the footer, inside the padding.
      const body = { x0: 40, x1: png.width - 40, y0: 96, y1: png.height - 88 };
      expect(countPixels(png, body, (r, g, b) => Math.min(r, g, b) < 160)).toBeGreaterThan(200);
      // Corners outside the rounded border stay white (the email column's colour).
      expect(countPixels(png, { x0: 0, y0: 0, x1: 3, y1: 3 }, near("#ffffff", 2))).toBe(9);
    }
    console.log(`snapshot render times: ${timings.join(", ")}`);
  }, 60_000);

  test("a grouped line chart draws each series in the palette's colour, in order", async () => {
    const png = decodePng((await renderWidgetSnapshot(FIXTURES.grouped!)).png);
    const plot = { x0: 80, x1: png.width - 20, y0: 90, y1: png.height - 160 };
    for (const colour of PALETTE.slice(0, 3)) expect(countPixels(png, plot, near(colour, 24))).toBeGreaterThan(300);
    expect(countPixels(png, plot, near(PALETTE[3]!, 12))).toBe(0);
  }, 30_000);

  test("number cards colour the change: green up, red down", async () => {
    const up = decodePng((await renderWidgetSnapshot(FIXTURES.numberUp!)).png);
    const down = decodePng((await renderWidgetSnapshot(FIXTURES.numberDown!)).png);
    const all = { x0: 0, y0: 0, x1: up.width, y1: up.height };
    expect(countPixels(up, all, near("#059669", 30))).toBeGreaterThan(50);
    expect(countPixels(up, all, near("#dc2626", 30))).toBe(0);
    expect(countPixels(down, all, near("#dc2626", 30))).toBeGreaterThan(50);
    expect(countPixels(down, all, near("#059669", 30))).toBe(0);
  }, 30_000);
});

describe("snapshot rendering details", () => {
  test("charts inlined as nested <svg> draw exactly the pixels of satori's <image> form", async () => {
    const fonts = await snapshotFonts();
    for (const name of ["line", "grouped", "numberUp", "empty"]) {
      const { tree, width, height } = widgetSnapshotTree(FIXTURES[name]!);
      const svg = await satori(tree as never, { width, height, fonts });
      const inlined = inlineSvgImages(svg);
      expect(inlined).not.toContain("<image");
      const opts = { fitTo: { mode: "zoom" as const, value: 2 }, font: { loadSystemFonts: false } };
      const a = new Resvg(svg, opts).render().pixels;
      const b = new Resvg(inlined, opts).render().pixels;
      let differing = 0;
      for (let i = 0; i < a.length; i += 4) if (Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!) > 30) differing++;
      expect(differing).toBeLessThan(a.length / 4 / 1000);
    }
  }, 30_000);

  test("names beyond Latin-1 (Łódź, Москва, Ελλάδα, Việt) are drawn from Inter's other subsets, not as boxes", async () => {
    const card = (title: string) => renderWidgetSnapshot({ ...FIXTURES.numberUp!, title });
    const ink = async (title: string, file: string) => {
      const snap = await card(title);
      writeFileSync(join(ARTIFACTS, `fixture-title-${file}.png`), snap.png);
      const png = decodePng(snap.png);
      return countPixels(png, { x0: 40, x1: 420, y0: 30, y1: 80 }, (r, g, b) => Math.max(r, g, b) < 100);
    };
    // Missing glyphs come out as filled boxes: far more ink than letters of the same count.
    const intl = await ink("Łódź Москва Ελλάδα Việt", "intl");
    const latin = await ink("Lodz Moskva Ellada Viet", "latin");
    const boxes = await ink("東京東京 東京東京 東京東京 東京", "boxes");
    expect(intl).toBeLessThan(latin * 1.25);
    expect(boxes).toBeGreaterThan(latin * 1.3);
  }, 30_000);

  test("long titles, labels and footers are shortened with … and stay inside the card", async () => {
    const png = decodePng((await renderWidgetSnapshot(FIXTURES.crowded!)).png);
    // The 20 px padding on the right (inside the 1 px border) stays blank on every row.
    expect(countPixels(png, { x0: png.width - 38, x1: png.width - 4, y0: 4, y1: png.height - 4 }, (r, g, b) => Math.min(r, g, b) < 200)).toBe(0);
    const { tree } = widgetSnapshotTree(FIXTURES.crowded!);
    const texts = JSON.stringify(tree);
    expect(texts).toContain("…");
    expect(texts).toContain("more"); // the legend says how many series it could not fit
  }, 30_000);
});

describe("axis ticks", () => {
  test("cover the data with 1/2/2.5/5 × 10^k steps, from zero for non-negative data", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.double({ min: -1e9, max: 1e9, noNaN: true }), (a, b) => {
        const [min, max] = a < b ? [a, b] : [b, a];
        const t = niceTicks(min, max);
        expect(t.lo).toBeLessThanOrEqual(Math.min(min, 0) + Math.abs(t.step) * 1e-9);
        expect(t.hi).toBeGreaterThanOrEqual(Math.max(max, 0) - Math.abs(t.step) * 1e-9);
        if (min >= 0) expect(t.lo).toBe(0);
        expect(t.values.length).toBeGreaterThanOrEqual(2);
        expect(t.values.length).toBeLessThanOrEqual(12);
        const mantissa = t.step / 10 ** Math.floor(Math.log10(t.step));
        expect([1, 2, 2.5, 5, 10].some((m) => Math.abs(m - mantissa) < 1e-6)).toBe(true);
      }),
    );
  });

  test("time ticks always include the first and the last bucket", () => {
    expect(tickIndices(30, 5)).toEqual([0, 7, 15, 22, 29]);
    expect(tickIndices(3, 5)).toEqual([0, 1, 2]);
    expect(tickIndices(0, 5)).toEqual([]);
  });
});
