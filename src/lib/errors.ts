/**
 * THE error type for expected failures. `app.onError` turns it into the API's JSON error shape
 * (`{ error, message, field?, errors? }`), an HTML page, or a form-errors partial for HTMX.
 */
export type ItemError = { index: number | null; field: string | null; message: string };

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { field?: string; errors?: ItemError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: extra.cause });
  }

  get field() {
    return this.extra.field;
  }

  toJSON() {
    return {
      error: this.code,
      message: this.message,
      ...(this.extra.field !== undefined ? { field: this.extra.field } : {}),
      ...(this.extra.errors ? { errors: this.extra.errors } : {}),
    };
  }
}

export const badRequest = (code: string, message: string, field?: string) => new AppError(400, code, message, { field });
export const unauthorized = (message = "Missing or invalid credentials") => new AppError(401, "unauthorized", message);
export const forbidden = (message: string) => new AppError(403, "forbidden", message);
/** Anything of another tenant is "not found", never "forbidden". */
export const notFound = (message = "Not found") => new AppError(404, "not_found", message);
export const conflict = (code: string, message: string, field?: string) => new AppError(409, code, message, { field });
export const tooManyRequests = (retryAfterSeconds: number) =>
  new AppError(429, "rate_limited", `Too many requests; retry after ${retryAfterSeconds} s`, {
    headers: { "Retry-After": String(retryAfterSeconds) },
  });
