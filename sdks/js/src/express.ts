import type { Properties } from "./types.js";

/** The parts of Express's req/res the middleware reads (no dependency on express's types). */
export interface RequestLike {
  method?: string;
  baseUrl?: string;
  route?: { path?: unknown };
}
export interface ResponseLike {
  statusCode?: number;
  once(event: "finish" | "close", fn: () => void): unknown;
}

export interface ExpressMiddlewareOptions {
  /** Event namespace and name (default `http` / `request`). */
  namespace?: string;
  event?: string;
  /** Return true to leave a request out (health checks, static files). */
  ignore?: (req: RequestLike) => boolean;
  /** Extra properties from the request (a tenant header, …), merged into the event. */
  properties?: (req: RequestLike, res: ResponseLike) => Properties;
}

interface Tracker {
  track(namespace: string, event: string, properties?: Properties): void;
}

/**
 * One event per request once the response is finished: method, the matched route pattern
 * (`/users/:id`, never the raw path, so ids do not explode the cardinality; null when no route
 * matched), status and duration. A response closed early (client gone) is tracked too, with
 * `aborted: true`.
 */
export function expressMiddleware(client: Tracker, options: ExpressMiddlewareOptions = {}) {
  const namespace = options.namespace ?? "http";
  const event = options.event ?? "request";
  return function litekpiMiddleware(req: RequestLike, res: ResponseLike, next: (err?: unknown) => void) {
    let skip = false;
    try {
      skip = options.ignore?.(req) === true;
    } catch {
      skip = false;
    }
    if (!skip) {
      const started = now();
      let done = false;
      const finish = (aborted: boolean) => {
        if (done) return;
        done = true;
        try {
          const routePath = typeof req.route?.path === "string" ? req.route.path : null;
          const props: Properties = {
            method: req.method ?? "GET",
            route: routePath === null ? null : (req.baseUrl ?? "") + routePath,
            status: res.statusCode ?? 0,
            duration_ms: Math.round((now() - started) * 1000) / 1000,
          };
          if (aborted) props.aborted = true;
          if (options.properties) Object.assign(props, options.properties(req, res));
          client.track(namespace, event, props);
        } catch {
          // never into the host app
        }
      };
      res.once("finish", () => finish(false));
      res.once("close", () => finish(true));
    }
    next();
  };
}

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());
