import type { Database } from "bun:sqlite";
import { domainCandidates, type WebMode } from "../sites";
import { parseCidr, type Cidr } from "../enrich/cidr";
import { pathMatcher } from "../enrich/glob";

/**
 * What the tracking endpoints need of a site, cached in memory and dropped whenever
 * web_config_epoch moves (triggers on web_sites, web_domains and products.site_token, by any
 * connection): one indexed read of one row per request, like the API key cache.
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

export function createSiteCache(sqlite: Database) {
  const epoch = sqlite.prepare("SELECT n FROM web_config_epoch WHERE id = 1");
  const byTokenQuery = sqlite.prepare("SELECT id FROM products WHERE site_token = ?");
  const byDomainQuery = sqlite.prepare("SELECT product_id FROM web_domains WHERE domain = ?");
  const domainsQuery = sqlite.prepare("SELECT domain FROM web_domains WHERE product_id = ? ORDER BY domain");
  const settingsQuery = sqlite.prepare("SELECT mode, excluded_paths, ip_exclusions FROM web_sites WHERE product_id = ?");
  let seen = -1;
  const sites = new Map<string, SiteConfig>();
  const tokens = new Map<string, string | null>();
  const domains = new Map<string, string | null>();

  function check() {
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
