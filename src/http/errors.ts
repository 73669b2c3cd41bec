import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { HTTPException } from "hono/http-exception";
import { AppError } from "../lib/errors";
import type { AppEnv } from "./context";
import type { Logger } from "../lib/log";
import { ErrorPage } from "../../views/pages/error-page";
import { isHtmx, sendFragment, sendPage } from "./render";

/** Where a JSON answer is wanted rather than a page. */
export const wantsJson = (c: Context) => c.req.path.startsWith("/api/") || (c.req.header("Accept") ?? "").startsWith("application/json");

/** Any thrown value as the AppError to answer with; an unexpected one is logged first. */
export function toAppError(err: unknown, log: Logger, where: { method: string; path: string }): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) return new AppError(err.status, err.status === 413 ? "payload_too_large" : "http_error", err.message || "Request failed");
  log.error("unhandled error", { ...where, err });
  return new AppError(500, "internal_error", "Something went wrong on our side; it has been logged.");
}

/** The API's JSON error answer, for handlers that run outside Hono (src/ingest/handler.ts). */
export function apiErrorResponse(appError: AppError): Response {
  return Response.json(appError.toJSON(), { status: appError.status, headers: { ...API_HEADERS, ...appError.extra.headers } });
}

/** Headers of every JSON answer that skips Hono's secure-headers middleware. */
export const API_HEADERS = { "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store" } as const;

/** The signed-in header for an error page; built by the app, which has the database. */
export type ErrorHeader = (c: Context) => Child;

/** THE place an error becomes a response: JSON for the API, a page (or an HTMX fragment) otherwise. */
export function handleError(err: Error, c: Context, log: Logger, header?: ErrorHeader): Response | Promise<Response> {
  const appError = toAppError(err, log, { method: c.req.method, path: c.req.path });
  for (const [k, value] of Object.entries(appError.extra.headers ?? {})) c.header(k, value);
  const status = appError.status as 400;
  if (wantsJson(c)) return c.json(appError.toJSON(), status);
  const fragment = isHtmx(c);
  if (fragment) return sendFragment(c, ErrorPage({ status: appError.status, message: appError.message, fragment }), status);
  return sendPage(c, ErrorPage({ status: appError.status, message: appError.message, header: safeHeader(c, log, header), signedIn: signedIn(c) }), status);
}

export function handleNotFound(c: Context, log: Logger, header?: ErrorHeader): Response | Promise<Response> {
  if (wantsJson(c)) return c.json({ error: "not_found", message: "Not found" }, 404);
  const message = "This page does not exist, or you do not have access to it.";
  return sendPage(c, ErrorPage({ status: 404, message, header: safeHeader(c, log, header), signedIn: signedIn(c) }), 404);
}

const signedIn = (c: Context) => !!(c as Context<AppEnv>).get("user");

// An error page must still render when what failed was the database the header reads.
function safeHeader(c: Context, log: Logger, header?: ErrorHeader): Child {
  if (!header) return null;
  try {
    return header(c);
  } catch (err) {
    log.warn("error page without its header", { err });
    return null;
  }
}
