import type { Deps } from "../../src/deps";
import { addDomain } from "../../src/web/sites";
import { makeProductWithKeys } from "../helpers/factories";

/** A product with a web domain, its site token and keys. */
export async function makeSite(deps: Deps, opts: { domain?: string; timezone?: string } = {}) {
  const made = await makeProductWithKeys(deps, { timezone: opts.timezone });
  const domain = addDomain(deps.db, made.product.id, opts.domain ?? `site${Math.random().toString(36).slice(2, 8)}.example`, deps.clock.now());
  return { ...made, domain, siteToken: made.product.siteToken as string };
}

export const CHROME_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
export const FIREFOX_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
export const IPHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/** POST a Plausible-format event as Plausible's script does (text/plain). */
export function sendPlausible(base: string, body: unknown, opts: { ua?: string; xff?: string } = {}) {
  return fetch(base + "/api/event", {
    method: "POST",
    headers: { "Content-Type": "text/plain", "User-Agent": opts.ua ?? CHROME_UA, ...(opts.xff ? { "X-Forwarded-For": opts.xff } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export function sendTrack(base: string, body: unknown, opts: { ua?: string; xff?: string } = {}) {
  return fetch(base + "/api/track", {
    method: "POST",
    headers: { "Content-Type": "text/plain", "User-Agent": opts.ua ?? CHROME_UA, ...(opts.xff ? { "X-Forwarded-For": opts.xff } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
