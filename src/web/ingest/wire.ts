import { AppError } from "../../lib/errors";
import { isObject } from "../../lib/names";
import { PERSISTED_ID } from "../enrich/visitor-id";

/**
 * The two tracking wire formats, read into one shape (the handler file documents both).
 * Every fault is a 400 `invalid_event` naming the field; nothing is stored.
 */
export type TrackRequest = {
  /** Our site token (`/api/track`), or null. */
  site: string | null;
  /** Plausible's `d`: the site's domain(s), comma-separated (`/api/event`), or null. */
  domains: string[] | null;
  name: string;
  url: URL;
  referrer: string | null;
  screenWidth: number | null;
  props: Record<string, string> | null;
  persistedId: string | null;
  engagedMs: number | null;
  scrollDepth: number | null;
  revenue: { amount: number; currency: string } | null;
  hash: boolean;
  /** Plausible's `i: false`: a custom event that does not make a visit "not a bounce". */
  interactive: boolean;
};

export const MAX_TRACK_BYTES = 16 * 1024;
const MAX_NAME = 120;
const MAX_URL = 2000;
const MAX_PROPS = 30;
const MAX_PROP_KEY = 300;
const MAX_PROP_VALUE = 2000;
const MAX_ENGAGED_MS = 24 * 3_600_000;

const fault = (message: string, field?: string) => new AppError(400, "invalid_event", message, field ? { field } : {});

export const TRACK_KEYS = new Set(["site", "n", "u", "r", "w", "p", "v", "e", "sd", "rev", "h", "i"]);

/** JSON text → object; the whole-body faults. */
export function parseBody(text: string): Record<string, unknown> {
  if (text.trim() === "") throw fault("The body is empty; send a JSON object like {\"n\":\"pageview\",\"u\":\"https://example.com/\"}");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw fault(`The body is not valid JSON (${err instanceof Error ? err.message : "parse error"})`);
  }
  if (!isObject(body)) throw fault(`The body must be one JSON object, not ${Array.isArray(body) ? "an array" : body === null ? "null" : typeof body}`);
  return body;
}

/** `POST /api/track`: our script's body. Unknown fields are refused (our own client sends none). */
export function parseTrack(body: Record<string, unknown>): TrackRequest {
  for (const k of Object.keys(body)) if (!TRACK_KEYS.has(k)) throw fault(`Unknown field "${k}"`, k);
  const site = body.site;
  if (typeof site !== "string" || !/^site_[A-Za-z0-9_-]{1,100}$/.test(site)) throw fault('"site" must be the site token (site_…) from the snippet', "site");
  let persistedId: string | null = null;
  if (body.v !== undefined && body.v !== null) {
    if (typeof body.v !== "string" || !PERSISTED_ID.test(body.v)) throw fault('"v" must be the visitor id the script keeps (8–64 letters, digits, _ or -)', "v");
    persistedId = body.v;
  }
  return { ...common(body, "rev"), site, domains: null, persistedId };
}

/** `POST /api/event`: what Plausible's script and @plausible-analytics/tracker send. Unknown fields are ignored, as Plausible does. */
export function parsePlausible(body: Record<string, unknown>): TrackRequest {
  const d = body.d ?? body.domain;
  if (typeof d !== "string" || d.trim() === "" || d.length > 1000) throw fault('"d" must be the site\'s domain', "d");
  const domains = d.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (!domains.length) throw fault('"d" must be the site\'s domain', "d");
  const revenueField = body.$ !== undefined ? "$" : "revenue";
  return { ...common(body, revenueField), site: null, domains, persistedId: null };
}

function common(body: Record<string, unknown>, revenueField: string): Omit<TrackRequest, "site" | "domains" | "persistedId"> {
  const n = body.n ?? body.name;
  if (typeof n !== "string" || n.trim() === "") throw fault('"n" (the event name, e.g. "pageview") is required', "n");
  if (n.length > MAX_NAME || /[\u0000-\u001f\u007f]/.test(n)) throw fault(`"n" must be at most ${MAX_NAME} characters without control characters`, "n");
  const u = body.u ?? body.url;
  if (typeof u !== "string" || u.length > MAX_URL) throw fault(`"u" must be the page's URL (at most ${MAX_URL} characters)`, "u");
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw fault('"u" must be an absolute URL like https://example.com/pricing', "u");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw fault('"u" must be an http(s) URL', "u");
  const r = body.r ?? body.referrer;
  if (r !== undefined && r !== null && (typeof r !== "string" || r.length > MAX_URL)) throw fault(`"r" must be the referrer URL (at most ${MAX_URL} characters) or null`, "r");
  return {
    name: n.trim(),
    url,
    referrer: typeof r === "string" && r !== "" ? r : null,
    screenWidth: intOrNull(body.w, "w", 0, 100_000),
    props: propsOf(body.p ?? body.m ?? body.props),
    engagedMs: intOrNull(body.e, "e", 0, MAX_ENGAGED_MS),
    scrollDepth: scrollOf(body.sd),
    revenue: revenueOf(body[revenueField], revenueField),
    hash: body.h === 1 || body.h === true || body.h === "1",
    interactive: body.i !== false,
  };
}

function intOrNull(v: unknown, field: string, min: number, max: number): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) throw fault(`"${field}" must be a number from ${min} to ${max}`, field);
  return Math.round(v);
}

/** Scroll depth in percent; the script's rounding can pass 100 on a page that grows while read. */
function scrollOf(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isFinite(v)) throw fault('"sd" must be the scroll depth in percent', "sd");
  return Math.max(0, Math.min(100, Math.round(v)));
}

/** Props: an object (or its JSON text, as Plausible's older scripts send it) of scalars; kept as strings. */
function propsOf(v: unknown): Record<string, string> | null {
  if (v === undefined || v === null) return null;
  let obj = v;
  if (typeof v === "string") {
    try {
      obj = JSON.parse(v);
    } catch {
      throw fault('"p" must be an object of properties', "p");
    }
  }
  if (!isObject(obj)) throw fault('"p" must be an object of properties', "p");
  const out: Record<string, string> = {};
  let n = 0;
  for (const k of Object.keys(obj)) {
    const value = obj[k];
    if (value === null || value === undefined) continue;
    if (k === "" || k.length > MAX_PROP_KEY || /[\u0000-\u001f\u007f]/.test(k)) throw fault(`Property names are 1–${MAX_PROP_KEY} characters without control characters`, "p");
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") throw fault(`Property "${k}" must be a string, number or boolean`, "p");
    const s = String(value).replace(/[\u0000-\u001f\u007f]/g, "");
    if (s.length > MAX_PROP_VALUE) throw fault(`Property "${k}" is longer than ${MAX_PROP_VALUE} characters`, "p");
    if (s === "") continue;
    if (++n > MAX_PROPS) throw fault(`At most ${MAX_PROPS} properties per event`, "p");
    out[k] = s;
  }
  return n ? out : null;
}

function revenueOf(v: unknown, field: string): { amount: number; currency: string } | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw fault(`"${field}" must be { amount, currency }`, field);
  const amount = typeof v.amount === "string" && /^-?\d+(\.\d+)?$/.test(v.amount.trim()) ? Number(v.amount) : v.amount;
  if (typeof amount !== "number" || !Number.isFinite(amount) || Math.abs(amount) > 1e12) throw fault(`"${field}.amount" must be a number`, field);
  if (typeof v.currency !== "string" || !/^[A-Za-z]{3}$/.test(v.currency)) throw fault(`"${field}.currency" must be an ISO 4217 code like USD`, field);
  return { amount, currency: v.currency.toUpperCase() };
}
