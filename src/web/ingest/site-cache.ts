import type { Database } from "bun:sqlite";
import { domainCandidates, type WebMode } from "../sites";
import { parseCidr, type Cidr } from "../enrich/cidr";
import { pathMatcher } from "../enrich/glob";

/**
 * What the tracking endpoints need of a site, cached in memory and dropped whenever
 * web_config_epoch moves (triggers on web_sites, web_domains and products.site_token, by any
 * connection). The epoch row is read again when this connection wrote anything since the last
 * look (the settings pages, the CLI and the tests change sites through it: seen by the very
 * next hit), and otherwise at most every CROSS_PROCESS_CHECK_MS (another process, e.g. the CLI
 * against a running server). Measured under 64 connections with the writer committing: reading
 * the row on every hit cost 6–14 µs of the HTTP thread per request (a read transaction, and the
 * page cache refilled after each of the writer's commits); `total_changes()` touches no table.
 */
export type SiteConfig = {
  productId: string;
  mode: WebMode;
  domains: string[];
  /** A host on one of the site's domains (example.com covers www.example.com). */
  isOwnHost(host: string): boolean;
  isExcludedPath(path: string): boolean;
  ipExclusions: Cidr[];
};

const MAX_CACHED = 10_000;
// How stale a change made by another process can be, at most.
const CROSS_PROCESS_CHECK_MS = 1_000;

export function createSiteCache(sqlite: Database) {
  const epoch = sqlite.prepare("SELECT n FROM web_config_epoch WHERE id = 1");
  const byTokenQuery = sqlite.prepare("SELECT id FROM products WHERE site_token = ?");
  const byDomainQuery = sqlite.prepare("SELECT product_id FROM web_domains WHERE domain = ?");
  const domainsQuery = sqlite.prepare("SELECT domain FROM web_domains WHERE product_id = ? ORDER BY domain");
  const settingsQuery = sqlite.prepare("SELECT mode, excluded_paths, ip_exclusions FROM web_sites WHERE product_id = ?");
  const ownWrites = sqlite.prepare("SELECT total_changes() AS n");
  let seen = -1;
  let seenWrites = -1;
  let checkedAt = -Infinity;
  const sites = new Map<string, SiteConfig>();
  const tokens = new Map<string, string | null>();
  const domains = new Map<string, string | null>();

  function check() {
    const writes = (ownWrites.get() as { n: number }).n;
    const at = performance.now();
    if (writes === seenWrites && at - checkedAt < CROSS_PROCESS_CHECK_MS) return;
    seenWrites = writes;
    checkedAt = at;
    const n = (epoch.get() as { n: number } | null)?.n ?? 0;
    if (n !== seen) {
      seen = n;
      sites.clear();
      tokens.clear();
      domains.clear();
    }
  }

  function site(productId: string): SiteConfig {
    let s = sites.get(productId);
    if (s) return s;
    const list = (domainsQuery.all(productId) as { domain: string }[]).map((r) => r.domain);
    const own = new Set(list);
    const row = settingsQuery.get(productId) as { mode: string; excluded_paths: string; ip_exclusions: string } | null;
    const excluded = row ? (JSON.parse(row.excluded_paths) as string[]) : [];
    const ips = row ? (JSON.parse(row.ip_exclusions) as string[]) : [];
    s = {
      productId,
      mode: row?.mode === "attribution" ? "attribution" : "privacy",
      domains: list,
      isOwnHost: (host) => domainCandidates(host).some((d) => own.has(d)),
      isExcludedPath: pathMatcher(excluded),
      ipExclusions: ips.map(parseCidr).filter((c): c is Cidr => c !== null),
    };
    if (sites.size >= MAX_CACHED) sites.clear();
    sites.set(productId, s);
    return s;
  }

  const remember = <V>(m: Map<string, V>, k: string, v: V) => {
    if (m.size >= MAX_CACHED) m.clear();
    m.set(k, v);
    return v;
  };

  return {
    /** Call once per request, before the lookups. */
    check,
    byToken(token: string): SiteConfig | null {
      let id = tokens.get(token);
      if (id === undefined) id = remember(tokens, token, (byTokenQuery.get(token) as { id: string } | null)?.id ?? null);
      return id ? site(id) : null;
    },
    byDomain(domain: string): SiteConfig | null {
      let id = domains.get(domain);
      if (id === undefined) {
        id = null;
        for (const d of domainCandidates(domain)) {
          const row = byDomainQuery.get(d) as { product_id: string } | null;
          if (row) {
            id = row.product_id;
            break;
          }
        }
        remember(domains, domain, id);
      }
      return id ? site(id) : null;
    },
  };
}
export type SiteCache = ReturnType<typeof createSiteCache>;
