/**
 * Copies pinned browser libraries and the Inter font from node_modules into static/ (no CDN).
 * Runs before start, test and build; cheap when nothing changed.
 */
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
export const SNAPSHOT_SUBSETS = ["latin-ext", "cyrillic", "greek", "vietnamese"] as const;
export const VENDORED: [from: string, to: string][] = [
  ["node_modules/htmx.org/dist/htmx.min.js", "static/vendor/htmx.min.js"],
  ["node_modules/@alpinejs/csp/dist/cdn.min.js", "static/vendor/alpine-csp.min.js"],
  ["node_modules/uplot/dist/uPlot.iife.min.js", "static/vendor/uplot.min.js"],
  ["node_modules/uplot/dist/uPlot.min.css", "static/vendor/uplot.min.css"],
  ...[400, 500, 600, 700].flatMap((w): [string, string][] => [
    [`node_modules/@fontsource/inter/files/inter-latin-${w}-normal.woff2`, `static/vendor/fonts/inter-latin-${w}-normal.woff2`],
    [`node_modules/@fontsource/inter/files/inter-latin-${w}-normal.woff`, `static/vendor/fonts/inter-latin-${w}-normal.woff`],
  ]),
  // Report snapshots only (satori, .woff): glyphs beyond Latin-1 for names like "Łódź" or "Москва".
  ...SNAPSHOT_SUBSETS.flatMap((subset) =>
    [400, 600].map((w): [string, string] => [`node_modules/@fontsource/inter/files/inter-${subset}-${w}-normal.woff`, `static/vendor/fonts/inter-${subset}-${w}-normal.woff`]),
  ),
];

/** Our tracker: readable source in, minified out (R13 keeps it ≤ 1 KB gzipped as served by /t.js). */
export const TRACKER_SOURCE = "src/web/tracker/t.js";
export const TRACKER_BUILT = "static/vendor/t.js";

/**
 * Minifies the tracker with Bun's bundler. The iife format keeps every name inside one function
 * scope (the script runs as a classic script on customers' pages). Synchronous like the rest of
 * vendor(), so the test preload and the build can call it.
 */
function buildTracker() {
  const src = join(root, TRACKER_SOURCE);
  const dst = join(root, TRACKER_BUILT);
  if (existsSync(dst) && statSync(dst).mtimeMs >= statSync(src).mtimeMs) return;
  mkdirSync(dirname(dst), { recursive: true });
  const proc = Bun.spawnSync([process.execPath, "build", "--minify", "--format=iife", "--target=browser", src, "--outfile", dst], { stderr: "pipe", stdout: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`vendor: building ${TRACKER_SOURCE} failed: ${proc.stderr.toString()}`);
}

export function vendor() {
  buildTracker();
  for (const [from, to] of VENDORED) {
    const src = join(root, from);
    const dst = join(root, to);
    if (!existsSync(src)) throw new Error(`vendor: ${from} is missing; run npm install`);
    if (existsSync(dst) && statSync(dst).size === statSync(src).size && statSync(dst).mtimeMs >= statSync(src).mtimeMs) continue;
    mkdirSync(dirname(dst), { recursive: true });
    copyFileSync(src, dst);
  }
}

if (import.meta.main) vendor();
