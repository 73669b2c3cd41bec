import { eq, asc } from "drizzle-orm";
import type { Db } from "../db/connection";
import { products, webDomains, webSites } from "../db/schema";
import { badRequest, conflict, notFound } from "../lib/errors";
import { randomToken } from "../lib/tokens";

/**
 * A product's web site: its domains, site token and tracking settings (DESIGN.md "Keys, scopes
 * and provisioning" and "Web analytics"). Control plane, written with the control connection;
 * the tracking endpoints' caches notice changes through web_config_epoch (triggers).
 */
export type WebSite = typeof webSites.$inferSelect;
export type WebMode = "privacy" | "attribution";
export type AttributionModel = "last_touch" | "first_touch";
export type WebSettings = {
  mode: WebMode;
  attributionWindowDays: number;
  attributionModel: AttributionModel;
  currency: string;
  excludedPaths: string[];
  ipExclusions: string[];
};

/** A fresh public site token; `site_` says what it is wherever it is pasted. */
export const newSiteToken = () => "site_" + randomToken(12);

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * What a user may type for a domain ("https://www.Example.com:8080/path", "example.com.") →
 * "example.com". Refuses what is not a host name: IP literals are allowed only as `localhost`-like
 * single labels for local testing, never with a path of their own.
 */
export function normalizeDomain(input: string): string {
  let d = input.trim().toLowerCase();
  d = d.replace(/^[a-z][a-z0-9+.-]*:\/\//, ""); // scheme
  d = d.replace(/[/?#].*$/, ""); // path, query, fragment
  d = d.replace(/:\d+$/, ""); // port
  d = d.replace(/\.$/, ""); // the root dot
  if (d.startsWith("www.")) d = d.slice(4);
  if (d.length === 0) throw badRequest("invalid_input", "Enter a domain like example.com", "domain");
  if (d.length > 253 || !d.split(".").every((label) => LABEL.test(label)))
    throw badRequest("invalid_input", `"${input.trim()}" is not a domain; enter one like example.com`, "domain");
  return d;
}

/**
 * The listed domain a request's host belongs to: the host itself, or the host without one leading
 * `www.` (example.com matches www.example.com; shop.example.com only if it is listed).
 */
export function domainCandidates(host: string): string[] {
  const h = host.trim().toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  return h.startsWith("www.") ? [h, h.slice(4)] : [h];
}

export function listDomains(db: Db, productId: string): string[] {
  return db
    .select({ domain: webDomains.domain })
    .from(webDomains)
    .where(eq(webDomains.productId, productId))
    .orderBy(asc(webDomains.domain))
    .all()
    .map((r) => r.domain);
}

/** Adds a domain; one that another product lists is a 409 naming the field. Idempotent for its own. */
export function addDomain(db: Db, productId: string, input: string, now: number): string {
  const domain = normalizeDomain(input);
  const owner = db.select({ productId: webDomains.productId }).from(webDomains).where(eq(webDomains.domain, domain)).get();
  if (owner && owner.productId !== productId) throw conflict("domain_taken", `${domain} is already used by another product`, "domain");
  if (!owner) db.insert(webDomains).values({ domain, productId, createdAt: now }).run();
  return domain;
}

export function removeDomain(db: Db, productId: string, input: string): void {
  const domain = normalizeDomain(input);
  const { changes } = db.$client.prepare("DELETE FROM web_domains WHERE domain = ? AND product_id = ?").run(domain, productId);
  if (changes === 0) throw notFound(`${domain} is not a domain of this product`);
}

/** The product a host belongs to, or undefined (dropped as `unknown_domain`). */
export function findProductByHost(db: Db, host: string): string | undefined {
  for (const d of domainCandidates(host)) {
    const row = db.select({ productId: webDomains.productId }).from(webDomains).where(eq(webDomains.domain, d)).get();
    if (row) return row.productId;
  }
  return undefined;
}

export function findProductBySiteToken(db: Db, token: string): string | undefined {
  return db.select({ id: products.id }).from(products).where(eq(products.siteToken, token)).get()?.id;
}

export function rotateSiteToken(db: Db, productId: string): string {
  const token = newSiteToken();
  const { changes } = db.$client.prepare("UPDATE products SET site_token = ? WHERE id = ?").run(token, productId);
  if (changes === 0) throw notFound();
  return token;
}

function toSettings(row: WebSite): WebSettings {
  return {
    mode: row.mode as WebMode,
    attributionWindowDays: row.attributionWindowDays,
    attributionModel: row.attributionModel as AttributionModel,
    currency: row.currency,
    excludedPaths: JSON.parse(row.excludedPaths) as string[],
    ipExclusions: JSON.parse(row.ipExclusions) as string[],
  };
}

export const DEFAULT_WEB_SETTINGS: WebSettings = {
  mode: "privacy",
  attributionWindowDays: 30,
  attributionModel: "last_touch",
  currency: "USD",
  excludedPaths: [],
  ipExclusions: [],
};

/** A product's settings; defaults when none were saved (no row is written by reading). */
export function getWebSettings(db: Db, productId: string): WebSettings {
  const row = db.select().from(webSites).where(eq(webSites.productId, productId)).get();
  return row ? toSettings(row) : { ...DEFAULT_WEB_SETTINGS };
}

/**
 * Saves settings already validated by the caller's schema (see web settings routes); the
 * validation of each field (globs, CIDRs, window 1–90, ISO currency) lives with that schema so
 * the form, the API and the CLI refuse the same things.
 */
export function saveWebSettings(db: Db, productId: string, settings: WebSettings, now: number): WebSettings {
  const values = {
    mode: settings.mode,
    attributionWindowDays: settings.attributionWindowDays,
    attributionModel: settings.attributionModel,
    currency: settings.currency,
    excludedPaths: JSON.stringify(settings.excludedPaths),
    ipExclusions: JSON.stringify(settings.ipExclusions),
    updatedAt: now,
  };
  db.insert(webSites)
    .values({ productId, ...values })
    .onConflictDoUpdate({ target: webSites.productId, set: values })
    .run();
  return getWebSettings(db, productId);
}
