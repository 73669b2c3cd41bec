import UAParser from "ua-parser-js";

/**
 * Browser, OS and device from the User-Agent with ua-parser-js 1.x (MIT; 2.x is AGPL), named as
 * Plausible names them. Device: from the screen width the script sent where there is one
 * (Plausible's breakpoints), else from the parser's device type.
 */
export type UaInfo = { browser: string | null; os: string | null; device: string | null };

const BROWSERS: Record<string, string> = {
  "Mobile Safari": "Safari",
  "Chrome WebView": "Chrome",
  "Chrome Headless": "Chrome",
  "Mobile Chrome": "Chrome",
  "Mobile Firefox": "Firefox",
  "Samsung Browser": "Samsung Internet",
  "Edge": "Microsoft Edge",
  "Opera Mobi": "Opera",
  "Opera Touch": "Opera",
};
const SYSTEMS: Record<string, string> = { "Mac OS": "Mac", macOS: "Mac", Linux: "GNU/Linux", Ubuntu: "GNU/Linux", Debian: "GNU/Linux", Fedora: "GNU/Linux", "Chromium OS": "Chrome OS" };

const cache = new Map<string, { browser: string | null; os: string | null; type: string | undefined }>();
const CACHE_MAX = 5000;

export function parseUa(ua: string, screenWidth: number | null): UaInfo {
  let hit = cache.get(ua);
  if (!hit) {
    const r = new UAParser(ua).getResult();
    const browser = r.browser.name ? (BROWSERS[r.browser.name] ?? r.browser.name) : null;
    const os = r.os.name ? (SYSTEMS[r.os.name] ?? r.os.name) : null;
    hit = { browser, os, type: r.device.type };
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(ua, hit);
  }
  return { browser: hit.browser, os: hit.os, device: deviceOf(screenWidth, hit.type) };
}

function deviceOf(width: number | null, type: string | undefined): string {
  if (width !== null && width > 0) {
    if (width < 576) return "Mobile";
    if (width < 992) return "Tablet";
    if (width < 1440) return "Laptop";
    return "Desktop";
  }
  if (type === "mobile" || type === "wearable") return "Mobile";
  if (type === "tablet") return "Tablet";
  return "Desktop";
}
