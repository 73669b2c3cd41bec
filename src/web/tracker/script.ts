import { assetBytes } from "../../lib/assets";
import { sha256Hex } from "../../lib/tokens";

/**
 * The tracker as served: the minified build (scripts/vendor.ts → static/vendor/t.js, embedded in
 * the compiled binary like every static file), gzipped once at level 9, and a content hash that
 * versions the snippet's URL (`/t.js?v=<hash>`), so the versioned URL can be cached for a year
 * and a new release is picked up by the next page that renders a new snippet.
 */
export const TRACKER_ASSET = "static/vendor/t.js";

export type TrackerScript = { raw: Uint8Array<ArrayBuffer>; gzip: Uint8Array<ArrayBuffer>; version: string; etag: string };

let loading: Promise<TrackerScript> | null = null;

/** Loaded once per process, lazily (nothing is read at import time). */
export function trackerScript(): Promise<TrackerScript> {
  loading ??= (async () => {
    const text = new TextDecoder().decode(await assetBytes(TRACKER_ASSET)).trimEnd();
    const raw = new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;
    const version = sha256Hex(raw).slice(0, 12);
    return { raw, gzip: Bun.gzipSync(raw, { level: 9 }) as Uint8Array<ArrayBuffer>, version, etag: `"${version}"` };
  })();
  loading.catch(() => (loading = null)); // a missing build is retried after `bun scripts/vendor.ts`
  return loading;
}

/** The snippet's script URL: BASE_URL/t.js?v=<hash>. */
export async function trackerUrl(baseUrl: string): Promise<string> {
  const { version } = await trackerScript();
  return `${baseUrl.replace(/\/+$/, "")}/t.js?v=${version}`;
}
