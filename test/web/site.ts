import { join } from "node:path";

/**
 * A customer's web site for tracker tests, on its own loopback origin (so the script and its
 * beacons are cross-site as in production). It serves pages with the snippet and, until a test
 * points the tracker at the real server, captures what the script sends on POST /api/track and
 * /api/event (CORS like the real endpoints).
 */
export type Hit = { path: string; contentType: string; body: Record<string, unknown> };
export type SitePage = { scriptTag?: string; head?: string; body?: string };
export type TestSite = {
  url: string;
  hits: Hit[];
  /** CORS preflights received (text/plain beacons need none). */
  preflights: string[];
  /** Serves `page` for every GET of a path under `prefix` (the longest prefix wins). */
  page(prefix: string, page: SitePage): void;
  /** Waits until `count` hits match, or fails naming what did arrive. */
  waitFor(predicate: (hit: Hit) => boolean, count?: number): Promise<Hit[]>;
  stop(): void;
};

let plausibleBundle: Promise<string> | null = null;
/** The real @plausible-analytics/tracker bundled for a browser page (Bun's bundler, once). */
function bundlePlausible(): Promise<string> {
  plausibleBundle ??= (async () => {
    const out = await Bun.build({ entrypoints: [join(import.meta.dir, "fixtures/plausible-entry.js")], target: "browser", format: "iife", minify: true });
    if (!out.success) throw new Error(out.logs.join("\n"));
    return out.outputs[0]!.text();
  })();
  return plausibleBundle;
}

const CORS = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Allow-Methods": "POST, OPTIONS" };

export function startSite(): TestSite {
  const pages = new Map<string, SitePage>();
  const hits: Hit[] = [];
  const preflights: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method === "OPTIONS") {
        preflights.push(url.pathname);
        return new Response(null, { status: 204, headers: CORS });
      }
      if (req.method === "POST" && (url.pathname === "/api/track" || url.pathname === "/api/event")) {
        const text = await req.text();
        hits.push({ path: url.pathname, contentType: req.headers.get("content-type") ?? "", body: JSON.parse(text) });
        return new Response("ok", { status: 202, headers: CORS });
      }
      if (url.pathname === "/plausible.js") return new Response(await bundlePlausible(), { headers: { "Content-Type": "text/javascript" } });
      if (url.pathname === "/favicon.ico") return new Response(null, { status: 204 });
      const prefix = [...pages.keys()].filter((p) => url.pathname.startsWith(p)).sort((a, b) => b.length - a.length)[0];
      const page = prefix === undefined ? undefined : pages.get(prefix);
      if (!page) return new Response("no such page", { status: 404 });
      const html = `<!doctype html><html><head><meta charset="utf-8"><title>Test site</title>${page.head ?? ""}${page.scriptTag ?? ""}</head><body>${page.body ?? ""}</body></html>`;
      return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } });
    },
  });
  const site: TestSite = {
    url: `http://127.0.0.1:${server.port}`,
    hits,
    preflights,
    page: (prefix, page) => void pages.set(prefix, page),
    async waitFor(predicate, count = 1) {
      for (let i = 0; i < 500; i++) {
        const found = hits.filter(predicate);
        if (found.length >= count) return found;
        await Bun.sleep(10);
      }
      throw new Error(`expected ${count} matching hits; got: ${JSON.stringify(hits.map((h) => h.body))}`);
    },
    stop: () => void server.stop(true),
  };
  return site;
}
