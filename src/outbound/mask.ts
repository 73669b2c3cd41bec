/**
 * How an outbound URL a user saved is shown back (pages, APIs, mails, the delivery log): what
 * can be a credential is replaced by "…". That is the user:password@ part and the value of
 * every query parameter — receivers put their tokens there under any name (`token`, `key`,
 * Azure's `sig`, Google Chat's `key` and `token`, Zapier's `secret`), so no list of names would
 * be safe; the names stay, so a user can still tell two URLs apart. Scheme, host, port and path
 * are shown as saved (a Slack URL, whose path is the credential, is masked by its channel).
 *
 * A masked URL given back unchanged (a PATCH of what GET answered, an edit form saved as shown)
 * means "keep the stored URL": `sameMaskedUrl` tells the save paths so.
 */
export const MASK = "…";

export function maskUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  const auth = url.username || url.password ? `${MASK}@` : "";
  const query = url.search ? `?${url.search.slice(1).split("&").map(maskParam).join("&")}` : "";
  const hash = url.hash ? `#${MASK}` : "";
  return `${url.protocol}//${auth}${url.host}${url.pathname}${query}${hash}`;
}

function maskParam(pair: string): string {
  const eq = pair.indexOf("=");
  if (eq < 0) return pair;
  return eq === pair.length - 1 ? pair : `${pair.slice(0, eq)}=${MASK}`;
}

/** Text holding URLs (an error naming a redirect's Location) with each URL masked. */
export const maskUrlsIn = (text: string) =>
  text.replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (u) => {
    // Punctuation that ends a sentence or a parenthesis is not part of the URL.
    const tail = /[).,;:!?]+$/.exec(u)?.[0] ?? "";
    return maskUrl(u.slice(0, u.length - tail.length)) + tail;
  });

/** True when `given` is what maskUrl showed for `stored` (and so means "unchanged"). */
export const sameMaskedUrl = (given: string, stored: string) => given.trim() !== "" && given.trim() === maskUrl(stored);

/** A URL that still holds the mask character was copied from a masked view, not typed: it cannot be called. */
export const looksMasked = (raw: string) => raw.includes(MASK) || /%E2%80%A6/i.test(raw);
