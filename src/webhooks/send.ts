import { fetchOutbound, OutboundError, type OutboundOptions } from "../outbound/guard";

/**
 * One HTTP delivery through THE outbound guard (re-checked at send, no redirects, a timeout).
 * A failure is a DeliveryError: `permanent` when retrying cannot help (the guard refused the
 * URL, a redirect, most 4xx), otherwise the queue retries with backoff (src/webhooks/retry.ts).
 */
export class DeliveryError extends Error {
  constructor(message: string, readonly permanent: boolean, readonly statusCode?: number, options?: { cause?: unknown; response?: string }) {
    super(message, options);
    this.response = options?.response;
  }
  readonly response: string | undefined;
}

/** 5xx, 408, 429 and network failures are retried; other 4xx are not (the receiver said no). */
export function httpFailure(status: number, body: string): DeliveryError {
  const retry = status >= 500 || status === 408 || status === 429;
  return new DeliveryError(`Answered ${status}${body ? `: ${body.slice(0, 200)}` : ""}`, !retry, status, { response: body.slice(0, RESPONSE_KEPT) });
}

/** How much of a receiver's answer the delivery log keeps. */
export const RESPONSE_KEPT = 1024;

export type Sent = { statusCode: number; response: string };

export async function postJson(url: string, headers: Record<string, string>, body: string, opts: OutboundOptions): Promise<Sent> {
  try {
    const res = await fetchOutbound(url, { method: "POST", headers, body }, opts);
    if (res.status < 200 || res.status >= 300) throw httpFailure(res.status, res.body);
    return { statusCode: res.status, response: res.body.slice(0, RESPONSE_KEPT) };
  } catch (err) {
    if (err instanceof OutboundError) throw new DeliveryError(err.message, err.permanent, err.status, { cause: err });
    throw err;
  }
}

export const asDeliveryError = (err: unknown) =>
  err instanceof DeliveryError ? err : new DeliveryError(err instanceof Error ? err.message : String(err), false, undefined, { cause: err });
