import type { Context } from "hono";
import type { Child } from "hono/jsx";

/** Sends a full page: the doctype (which JSX cannot express) and the rendered tree. */
export async function sendPage(c: Context, node: Child, status = 200) {
  return c.html("<!doctype html>" + (await Promise.resolve(String(await node))), status as 200);
}

/** Sends an HTMX fragment; one URL serving page and partial must vary on HX-Request. */
export async function sendFragment(c: Context, node: Child, status = 200) {
  c.header("Vary", "HX-Request");
  return c.html(String(await node), status as 200);
}

export const isHtmx = (c: Context) => c.req.header("HX-Request") === "true";

/**
 * THE page-or-fragment answer: one URL serves the whole page or, to htmx, just the part it swaps
 * (a form with its errors, a settings section). Both vary on HX-Request so a cache never hands
 * the fragment to a full page load.
 */
export function pageOrFragment(c: Context, fragment: () => Child, page: () => Child, status = 200) {
  c.header("Vary", "HX-Request");
  return isHtmx(c) ? sendFragment(c, fragment(), status) : sendPage(c, page(), status);
}
