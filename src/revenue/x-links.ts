import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/connection";
import { xLinks } from "../db/schema";
import { badRequest, conflict, notFound } from "../lib/errors";

/**
 * X (Twitter) attribution (seed 001 FR-7). X wraps every link in a post as `https://t.co/<code>`
 * and a click arrives with that URL as its referrer, so the referrer breakdown already splits X
 * traffic per post (`t.co/AbC123`); the user names each link after its post here and the
 * dashboard shows that name beside the link, with its visitors and revenue. Paid X clicks are
 * told apart by `twclid` (src/web/enrich/source.ts).
 */
export type XLink = { link: string; label: string; postUrl: string | null; createdAt: number };

const CODE = /^[A-Za-z0-9]{1,32}$/;

/** "https://t.co/AbC123", "t.co/AbC123?amp=1" or "AbC123" → "t.co/AbC123" (the referrer's form). */
export function normalizeXLink(input: string): string {
  let s = input.trim();
  if (!s) throw badRequest("invalid_x_link", "Paste the t.co link of the post (like https://t.co/AbC123)", "link");
  s = s.replace(/^https?:\/\//i, "");
  if (/^t\.co\//i.test(s)) s = s.slice(5);
  else if (s.includes("/") || s.includes(".")) throw badRequest("invalid_x_link", "That is not a t.co link: X's short links look like https://t.co/AbC123", "link");
  const code = s.split(/[?#]/)[0]!.replace(/\/+$/, "");
  if (!CODE.test(code)) throw badRequest("invalid_x_link", "A t.co link ends in letters and digits only (like https://t.co/AbC123)", "link");
  return `t.co/${code}`;
}

/** An x.com or twitter.com post URL, or nothing. */
function postUrlOf(input: string | undefined): string | null {
  const s = (input ?? "").trim();
  if (!s) return null;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw badRequest("invalid_x_link", "The post's address is a URL like https://x.com/you/status/1234567890", "postUrl");
  }
  const host = url.hostname.toLowerCase().replace(/^(www\.|mobile\.)/, "");
  if (url.protocol !== "https:" || !["x.com", "twitter.com"].includes(host) || !/^\/[^/]+\/status\/\d+/.test(url.pathname))
    throw badRequest("invalid_x_link", "The post's address is a URL like https://x.com/you/status/1234567890", "postUrl");
  return `https://x.com${url.pathname.match(/^\/[^/]+\/status\/\d+/)![0]}`;
}

export function listXLinks(db: Db, productId: string): XLink[] {
  return db
    .select({ link: xLinks.link, label: xLinks.label, postUrl: xLinks.postUrl, createdAt: xLinks.createdAt })
    .from(xLinks)
    .where(eq(xLinks.productId, productId))
    .orderBy(asc(xLinks.createdAt), asc(xLinks.link))
    .all();
}

/** link → label, for the referrer breakdown. */
export const xLinkLabels = (db: Db, productId: string) => new Map(listXLinks(db, productId).map((l) => [l.link, l.label]));

export function addXLink(db: Db, productId: string, input: { link?: string; label?: string; postUrl?: string }, now: number): XLink {
  const link = normalizeXLink(input.link ?? "");
  const label = (input.label ?? "").trim();
  if (!label) throw badRequest("invalid_x_link", "Name the post (what it said, or when), so the dashboard can show it", "label");
  if (label.length > 120 || /[\u0000-\u001f]/.test(label)) throw badRequest("invalid_x_link", "The name is at most 120 characters, without control characters", "label");
  const postUrl = postUrlOf(input.postUrl);
  const exists = db.select({ link: xLinks.link }).from(xLinks).where(and(eq(xLinks.productId, productId), eq(xLinks.link, link))).get();
  if (exists) throw conflict("x_link_exists", `${link} is labelled already; remove it first to rename it`, "link");
  const row = { productId, link, label, postUrl, createdAt: now };
  db.insert(xLinks).values(row).run();
  return { link, label, postUrl, createdAt: now };
}

export function removeXLink(db: Db, productId: string, link: string): void {
  const { changes } = db.$client.prepare("DELETE FROM x_links WHERE product_id = ? AND link = ?").run(productId, link);
  if (changes === 0) throw notFound("No such X link");
}
