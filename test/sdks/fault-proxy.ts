import { gunzipSync } from "node:zlib";

/**
 * A loopback proxy in front of the live server for the SDK suites (TypeScript in-process; Python
 * and Go over HTTP): it records what each SDK sends and, when told, answers the next requests
 * itself (503 with Retry-After, 429, a dropped connection) before forwarding again. Control:
 *   POST /__proxy/fail   { count, status, retryAfter?, after? }   the next `count` requests get
 *                        `status`; with `after: true` they reach the server first and only the
 *                        answer is replaced (a lost answer: the batch IS stored)
 *   GET  /__proxy/log    every request seen: { path, status, idempotencyKey, encoding, body }
 *   POST /__proxy/reset  forget the log and any pending failures
 * `status: 0` closes the connection without an answer (a network error for the client).
 */
export type ProxiedRequest = {
  method: string;
  path: string;
  status: number;
  idempotencyKey: string | null;
  encoding: string | null;
  authorization: string | null;
  body: unknown;
  /** With `after: true`: what the server answered before the proxy replaced it. */
  forwardedStatus?: number;
  at: number;
};

type Failure = { count: number; status: number; retryAfter?: number; after?: boolean };
export type FaultProxy = {
  url: string;
  log: ProxiedRequest[];
  fail(f: Failure): void;
  /** Serve a file at `path` from the proxy's origin (a page that loads the browser SDK, same-origin with the API). */
  serve(path: string, type: string, body: string): void;
  reset(): void;
  stop(): void;
};

export function startFaultProxy(target: string): FaultProxy {
  const log: ProxiedRequest[] = [];
  let pending: Failure | null = null;
  const files = new Map<string, { type: string; body: string }>();
  const proxy: FaultProxy = {
    url: "",
    log,
    fail: (f) => void (pending = { ...f }),
    serve: (path, type, body) => void files.set(path, { type, body }),
    reset: () => void ((log.length = 0), (pending = null)),
    stop: () => server.stop(true),
  };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === "/__proxy/log") return Response.json(log);
      const file = req.method === "GET" ? files.get(url.pathname) : undefined;
      if (file) return new Response(file.body, { headers: { "Content-Type": file.type } });
      if (url.pathname === "/__proxy/reset") return proxy.reset(), new Response(null, { status: 204 });
      if (url.pathname === "/__proxy/fail") {
        proxy.fail((await req.json()) as Failure);
        return new Response(null, { status: 204 });
      }
      const raw = new Uint8Array(await req.arrayBuffer());
      const encoding = req.headers.get("content-encoding");
      const entry: ProxiedRequest = {
        method: req.method,
        path: url.pathname + url.search,
        status: 0,
        idempotencyKey: req.headers.get("idempotency-key"),
        encoding,
        authorization: req.headers.get("authorization"),
        body: decode(raw, encoding),
        at: Date.now(),
      };
      log.push(entry);
      const failure = pending;
      if (failure && --failure.count <= 0) pending = null;
      if (!failure || failure.after) {
        const headers = new Headers(req.headers);
        headers.delete("host");
        const res = await fetch(target + url.pathname + url.search, { method: req.method, headers, body: raw.byteLength ? raw : undefined });
        entry.status = res.status;
        const text = await res.text();
        if (!failure) return new Response(text, { status: res.status, headers: { "Content-Type": res.headers.get("content-type") ?? "application/json" } });
        entry.forwardedStatus = res.status;
      }
      entry.status = failure.status;
      if (failure.status === 0) return new Response(new ReadableStream({ start: (c) => c.error(new Error("dropped")) }));
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (failure.retryAfter !== undefined) headers["Retry-After"] = String(failure.retryAfter);
      return new Response(JSON.stringify({ error: "unavailable", message: "injected by the test proxy" }), { status: failure.status, headers });
    },
  });
  proxy.url = `http://127.0.0.1:${server.port}`;
  return proxy;
}

function decode(raw: Uint8Array, encoding: string | null): unknown {
  if (raw.byteLength === 0) return null;
  try {
    const bytes = encoding === "gzip" ? gunzipSync(raw) : raw;
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { undecodable: true };
  }
}

/** The items (events or points) of every request that reached the server and was stored. */
export function storedItems(log: ProxiedRequest[], path: string): any[] {
  return log
    .filter((r) => r.path.startsWith(path) && (r.status === 200 || r.status === 207))
    .flatMap((r) => {
      const b = r.body as any;
      return Array.isArray(b) ? b : (b?.events ?? b?.points ?? [b]);
    });
}
