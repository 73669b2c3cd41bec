import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { renderWidgetSnapshot, snapshotFonts } from "../../src/reports/snapshot";
import { niceTicks, tickIndices } from "../../views/snapshots/scale";
import { snapshotHeight, FULL_WIDTH, HALF_WIDTH } from "../../views/snapshots/widget";
import { PALETTE } from "../../views/snapshots/tree";
import { FIXTURES } from "./snapshot-fixtures";
import { countPixels, decodePng, near } from "./png";

const ARTIFACTS = join(import.meta.dir, "../artifacts/reports");

describe("widget snapshots", () => {
  test("fonts load through the assets module (what the compiled binary embeds), as .woff", async () => {
    const fonts = await snapshotFonts();
    expect(fonts.map((f) => f.weight)).toEqual([400, 500, 600, 700]);
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
