import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { AppEnv } from "../http/context";
import { isHtmx, sendFragment, sendPage } from "../http/render";
import { AppError } from "../lib/errors";

/** The string fields of a submitted form ("" for absent ones and for file parts). */
export async function formFields<K extends string>(c: Context, ...names: K[]): Promise<Record<K, string>> {
  const body = await c.req.parseBody();
  const out = {} as Record<K, string>;
  for (const name of names) {
    const value = body[name];
    out[name] = typeof value === "string" ? value : "";
  }
  return out;
}

/**
 * Runs a domain call; an AppError naming a field becomes `{ field: message }` so the form can be
 * shown again with the message beside its input. Anything else goes on to app.onError.
 */
export function tryField<T>(fn: () => T): { ok: true; value: T } | { ok: false; errors: Record<string, string> } {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (err instanceof AppError && err.field) return { ok: false, errors: { [err.field]: err.message } };
    throw err;
  }
}

/**
 * One URL serves a whole page or, to htmx, just its section. Both vary on HX-Request so a
 * cache never hands the fragment to a full page load.
 */
export function pageOrSection(c: Context<AppEnv>, section: () => Child, page: () => Child, status = 200) {
  c.header("Vary", "HX-Request");
  return isHtmx(c) ? sendFragment(c, section(), status) : sendPage(c, page(), status);
}

/** After a successful form post without htmx: back to the page (303 so the browser GETs it). */
export function backTo(c: Context, path: string) {
  return c.redirect(path, 303);
}

/** A response that shows a secret once must not be kept by any cache or the back button. */
export function noStore(c: Context) {
  c.header("Cache-Control", "no-store");
}
