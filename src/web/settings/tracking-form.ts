import { AppError } from "../../lib/errors";
import { parseCidr } from "../enrich/cidr";
import type { WebSettings } from "../sites";

/**
 * The tracking settings form → WebSettings, refusing bad input field by field (the form shows
 * every message beside its input and nothing is saved). The rules the tracking endpoints rely on
 * live here: a window of 1–90 days, path globs that start with "/", CIDRs (IPv4 or IPv6, or a
 * single address) that parse.
 */
export type TrackingFields = { mode: string; window: string; excluded: string; ips: string };

export const MAX_EXCLUDED_PATHS = 50;
export const MAX_IP_EXCLUSIONS = 50;
const MAX_GLOB = 200;

const lines = (text: string) =>
  text
    .split(/[\r\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

export function parseTrackingForm(fields: TrackingFields, current: WebSettings): WebSettings {
  const errors: { index: null; field: string; message: string }[] = [];
  const fail = (field: string, message: string) => errors.push({ index: null, field, message });

  const mode = fields.mode.trim();
  if (mode !== "privacy" && mode !== "attribution") fail("mode", "Choose privacy mode or attribution mode");

  const window = fields.window.trim();
  const days = /^\d{1,3}$/.test(window) ? Number(window) : NaN;
  if (!(days >= 1 && days <= 90)) fail("window", `The attribution window is a whole number of days from 1 to 90${window ? `, not "${window}"` : ""}`);

  const excluded = [...new Set(lines(fields.excluded))];
  const badGlob = excluded.find((g) => !g.startsWith("/") || g.length > MAX_GLOB || /[\u0000-\u001f\u007f\s]/.test(g));
  if (excluded.length > MAX_EXCLUDED_PATHS) fail("excluded", `At most ${MAX_EXCLUDED_PATHS} excluded paths`);
  else if (badGlob !== undefined) fail("excluded", `"${badGlob.slice(0, 60)}" is not a path pattern: start it with / (like /admin/** or /blog/*), at most ${MAX_GLOB} characters, no spaces`);

  const ips = [...new Set(lines(fields.ips))];
  const badIp = ips.find((c) => parseCidr(c) === null);
  if (ips.length > MAX_IP_EXCLUSIONS) fail("ips", `At most ${MAX_IP_EXCLUSIONS} address ranges`);
  else if (badIp !== undefined) fail("ips", `"${badIp.slice(0, 60)}" is not an IP address or CIDR range (like 203.0.113.0/24 or 2001:db8::/32)`);

  if (errors.length) throw new AppError(400, "invalid_input", errors[0]!.message, { field: errors[0]!.field, errors });
  return { ...current, mode: mode as WebSettings["mode"], attributionWindowDays: days, excludedPaths: excluded, ipExclusions: ips };
}
