import type { WebHit } from "../../writer/batch";
import type { TrackRequest } from "../ingest/wire";
import type { SiteConfig } from "../ingest/site-cache";
import { cidrContains, parseIp } from "./cidr";
import { countryOf } from "./geo";
import { HEADLESS, isBotUa, parseUa } from "./ua";
import { clean, siteSourceOf } from "./source";
import { persistedVisitorId, privacyVisitorId } from "./visitor-id";
import type { DropReason } from "../../ops/drops";

/**
 * THE enrichment pipeline of the tracking endpoints (DESIGN.md "Web analytics"): named steps in
 * order, each given the hit being built and answering it (to go on) or a drop with its reason
 * (counted per product and reason, src/ops/drops.ts and web_drops). A new step is one entry of
 * ENRICH_STEPS. The IP address is read here and nowhere kept: only the country and the keyed
 * visitor hash leave this module.
 */
export type Draft = {
  req: TrackRequest;
  site: SiteConfig;
  ip: string;
  ua: string;
  headers: Headers;
  now: number;
  /** The daily salt of privacy-mode visitor ids. */
  salt: () => string;
  hit: Partial<WebHit>;
};
export type Drop = { drop: DropReason };
export type Step = { name: string; run(d: Draft): Draft | Drop };

const bot: Step = {
  name: "bot",
  run: (d) => {
    if (isBotUa(d.ua)) return { drop: "bot" };
    if (HEADLESS.test(d.headers.get("sec-ch-ua") ?? "")) return { drop: "bot" };
    return d;
  },
};

const ipExclusion: Step = {
  name: "ip_exclusion",
  run: (d) => {
    if (!d.site.ipExclusions.length) return d;
    const bytes = parseIp(d.ip);
    return bytes && d.site.ipExclusions.some((c) => cidrContains(c, bytes)) ? { drop: "ip_excluded" } : d;
  },
};

const excludedPath: Step = {
  name: "excluded_path",
  run: (d) => (d.site.isExcludedPath(d.req.url.pathname) ? { drop: "excluded_path" } : d),
};

/** `/api/track` names the site by token: the page's host must be one of its domains. (`/api/event` named it by `d` already.) */
const unknownDomain: Step = {
  name: "unknown_domain",
  run: (d) => (d.req.site !== null && !d.site.isOwnHost(d.req.url.hostname) ? { drop: "unknown_domain" } : d),
};

const page: Step = {
  name: "page",
  run: (d) => {
    const u = d.req.url;
    const host = u.hostname.toLowerCase();
    d.hit.hostname = host.startsWith("www.") ? host.slice(4) : host;
    d.hit.pathname = clean(safeDecode(u.pathname) + (d.req.hash && u.hash ? u.hash : "")) ?? "/";
    return d;
  },
};

const userAgent: Step = {
  name: "user_agent",
  run: (d) => {
    Object.assign(d.hit, parseUa(d.ua, d.req.screenWidth));
    return d;
  },
};

const country: Step = {
  name: "country",
  run: (d) => {
    d.hit.country = countryOf(d.ip);
    d.hit.region = null; // DB-IP Lite country data has no regions
    return d;
  },
};

const source: Step = {
  name: "source",
  run: (d) => {
    Object.assign(d.hit, siteSourceOf(d.site, d.req.url, d.req.referrer, d.site.isOwnHost));
    return d;
  },
};

const visitor: Step = {
  name: "visitor_id",
  run: (d) => {
    const persisted = d.site.mode === "attribution" ? d.req.persistedId : null;
    d.hit.persistedId = persisted;
    d.hit.visitorId = persisted ? persistedVisitorId(d.site.productId, persisted) : privacyVisitorId(d.salt(), d.site.productId, d.ip, d.ua);
    return d;
  },
};

export const ENRICH_STEPS: readonly Step[] = [bot, ipExclusion, excludedPath, unknownDomain, page, userAgent, country, source, visitor];

/** Runs the steps; the finished hit, or the first drop. */
export function enrich(d: Draft): WebHit | Drop {
  for (const step of ENRICH_STEPS) {
    const out = step.run(d);
    if ("drop" in out) return out;
  }
  const { req, hit } = d;
  return {
    ...(hit as WebHit),
    tsMs: d.now,
    name: req.name,
    props: req.props,
    engagedMs: req.engagedMs,
    scrollDepth: req.scrollDepth,
    revenue: req.revenue,
    interactive: req.interactive,
  };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
