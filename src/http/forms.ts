import type { Context } from "hono";
import { AppError } from "../lib/errors";
import { isHtmx } from "./render";

/**
 * Forms, the same in every area: read the string fields, run the domain call, and turn its
 * expected failure into `{ field: message }` so the form is shown again (422) with each message
 * beside its input. Everything else goes on to app.onError.
 */
export type FormErrors = Partial<Record<string, string>>;

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
 * THE form-errors helper: an AppError naming fields (its `errors` list, else its `field`) as the
 * first message per field; null for anything else, which the caller rethrows.
 */
export function formErrorsOf(err: unknown): Record<string, string> | null {
  if (!(err instanceof AppError) || err.status >= 500) return null;
  const out: Record<string, string> = {};
  for (const e of err.extra.errors ?? []) if (e.field && !(e.field in out)) out[e.field] = e.message;
  if (!Object.keys(out).length && err.field) out[err.field] = err.message;
  return Object.keys(out).length ? out : null;
}

/** Runs a domain call; a field failure comes back as its form errors, anything else throws on. */
export function tryField<T>(fn: () => T): { ok: true; value: T } | { ok: false; errors: Record<string, string> } {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    const errors = formErrorsOf(err);
    if (errors) return { ok: false, errors };
    throw err;
  }
}

/** The same for an async domain call (registration hashes a password). */
export async function tryFieldAsync<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; errors: Record<string, string> }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    const errors = formErrorsOf(err);
    if (errors) return { ok: false, errors };
    throw err;
  }
}

/** A redirect after a form: 303 for a plain POST; for htmx a full navigation via HX-Redirect. */
export function redirectAfterForm(c: Context, url: string) {
  if (isHtmx(c)) return c.body(null, 204, { "HX-Redirect": url });
  return c.redirect(url, 303);
}

/** After a successful form post without htmx: back to the page (303 so the browser GETs it). */
export function backTo(c: Context, path: string) {
  return c.redirect(path, 303);
}

/** A response that shows a secret once must not be kept by any cache or the back button. */
export function noStore(c: Context) {
  c.header("Cache-Control", "no-store");
}
