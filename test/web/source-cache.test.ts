import { expect, test } from "bun:test";
import fc from "fast-check";
import { siteSourceOf, sourceOf } from "../../src/web/enrich/source";
import { domainCandidates } from "../../src/web/sites";

// The remembered answer must be the answer: for any landing URL and referrer, on any site, and
// whatever was asked before (a site's own hosts change what a referrer means).
const sites = [["example.com"], ["shop.example.com"], ["blog.example.org", "example.org"]].map((domains) => {
  const own = new Set(domains);
  return { domains, isOwnHost: (host: string) => domainCandidates(host).some((d) => own.has(d)) };
});
const hosts = ["example.com", "www.example.com", "shop.example.com", "example.org", "blog.example.org", "www.google.com", "news.ycombinator.com", "t.co", "duckduckgo.com", "x.com"];
const value = fc.oneof(fc.constantFrom("", "newsletter", "Google", "a%20b", "a+b", "%E2%82%AC", "%zz", "twitter"), fc.string({ maxLength: 8 }));
const param = fc.tuple(fc.constantFrom("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "ref", "source", "gclid", "twclid", "fbclid", "x", "utm_source%5B%5D"), value);
const query = fc.array(param, { maxLength: 5 }).map((pairs) => (pairs.length ? "?" + pairs.map(([k, v]) => `${k}=${v}`).join("&") : ""));
const referrer = fc.oneof(
  fc.constant(null),
  fc.tuple(fc.constantFrom("https://", "http://", "ftp://", ""), fc.constantFrom(...hosts), fc.constantFrom("/", "/item", "/search?q=1", "")).map(([s, h, p]) => s + h + p),
  fc.string({ maxLength: 12 }),
);

test("the remembered source of a visit equals sourceOf for every site, landing query and referrer", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(sites.length - 1), query, referrer), { minLength: 1, maxLength: 40 }), (visits) => {
      for (const [s, q, r] of visits) {
        const site = sites[s]!;
        const url = new URL(`https://${site.domains[0]}/landing${q}`);
        expect(siteSourceOf(site, url, r, site.isOwnHost)).toEqual(sourceOf(url, r, site.isOwnHost));
      }
    }),
    { numRuns: 300 },
  );
});
