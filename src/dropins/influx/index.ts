import type { Deps } from "../../deps";
import { AppError } from "../../lib/errors";
import { API_HEADERS, apiErrorResponse, toAppError } from "../../http/errors";
import { readIngestBody } from "../../ingest/body";
import { storePoints } from "../../ingest/ingest";
import { bodyFault, POINTS } from "../../ingest/payload";
import type { IdempotencyGate } from "../../ingest/idempotency";
import { admit, authToken, basicAuth, countAccepted, ingestKeyFrom, queryOf, type DropIn } from "../common";
import { parseLineProtocolColumns, TooManyLines, type Precision, type LineProtocolColumns } from "./line-protocol";

/**
 * InfluxDB's write endpoints (DESIGN.md "Developer surface and drop-ins"), so Telegraf, the
 * official client libraries and anything else that speaks line protocol write here unchanged:
 * - `POST /api/v2/write?org=…&bucket=…&precision=ns|us|ms|s` with `Authorization: Token KEY`
 *   (InfluxDB 2.x; `Bearer` too);
 * - `POST /write?db=…&precision=n|u|ms|s|m|h` (1.x) with the key as the password: `p=` in the
 *   query, Basic auth, or the same Token header.
 * `org`, `bucket`, `db` and `rp` are accepted and not used: the key names the product. 204 on
 * success, after the commit. A bad line stores nothing: 400 naming the first bad line as InfluxDB
 * does (`unable to parse line 3: …`), with one entry per bad line in `errors` (`index` is the 0-based
 * line number). Gzip bodies (Content-Encoding: gzip) are inflated with the same 1 MiB cap; at
 * most 1000 lines per request, as the native API takes at most 1000 points.
 */
const V2_PRECISIONS: Record<string, Precision> = { ns: "ns", us: "us", ms: "ms", s: "s" };
const V1_PRECISIONS: Record<string, Precision> = { n: "ns", ns: "ns", u: "us", us: "us", ms: "ms", s: "s", m: "m", h: "h" };

export const influxDropIn: DropIn = {
  name: "influx",
  routes: ({ deps, gate }) => [
    { method: "POST", path: "/api/v2/write", handle: (req) => write(deps, gate, req, "v2") },
    { method: "POST", path: "/write", handle: (req) => write(deps, gate, req, "v1") },
    // Telegraf's 1.x output sends CREATE DATABASE before writing: answered as done (a no-op).
    { method: "POST", path: "/query", handle: (req) => influxQuery(deps, req) },
    { method: "GET", path: "/query", handle: (req) => influxQuery(deps, req) },
    // Clients and Telegraf probe /ping before writing (InfluxDB answers 204 with its version).
    { method: "GET", path: "/ping", handle: () => new Response(null, { status: 204, headers: { "X-Influxdb-Version": "1.8-litekpi", ...API_HEADERS } }) },
    { method: "HEAD", path: "/ping", handle: () => new Response(null, { status: 204, headers: { "X-Influxdb-Version": "1.8-litekpi", ...API_HEADERS } }) },
  ],
};

async function write(deps: Deps, gate: IdempotencyGate, req: Request, version: "v1" | "v2"): Promise<Response> {
  try {
    const query = queryOf(req);
    const auth = req.headers.get("authorization");
    const secret = version === "v2" ? authToken(auth, ["token", "bearer"]) : (query.get("p") ?? basicAuth(auth)?.password ?? authToken(auth, ["token", "bearer"]));
    const key = ingestKeyFrom(deps, secret, version === "v2" ? "as: Authorization: Token lk_…" : "as the password: ?u=any&p=lk_…, Basic auth, or Authorization: Token lk_…");
    admit(deps, { keyId: key.id, productId: key.productId });
    const precision = readPrecision(query.get("precision"), version);
    const { text, bytes } = await readIngestBody(req, (message) => bodyFault(POINTS, message), { anyContentType: true });
    const answer = await storePoints(
      deps,
      gate,
      { productId: key.productId, apiKeyId: key.id, bytes, partial: false, idempotencyKey: req.headers.get("idempotency-key") },
      (now) => {
        const { columns, errors } = checked(parse(text, precision, now));
        return { points: columns, errors };
      },
    );
    countAccepted(deps, key.productId, answer);
    return new Response(null, { status: 204, headers: API_HEADERS });
  } catch (err) {
    return apiErrorResponse(toAppError(err, deps.log, { method: req.method, path: version === "v2" ? "/api/v2/write" : "/write" }));
  }
}

/**
 * InfluxQL is not spoken here; only `CREATE DATABASE …`, which writers send first, is answered
 * with InfluxDB's success shape (the key names the product, so there is nothing to create).
 */
async function influxQuery(deps: Deps, req: Request): Promise<Response> {
  try {
    const query = queryOf(req);
    const auth = req.headers.get("authorization");
    ingestKeyFrom(deps, query.get("p") ?? basicAuth(auth)?.password ?? authToken(auth, ["token", "bearer"]), "as the password: ?u=any&p=lk_…, Basic auth, or Authorization: Token lk_…");
    const form = req.method === "POST" ? new URLSearchParams(await req.text()) : null;
    const q = (query.get("q") ?? form?.get("q") ?? "").trim();
    if (!/^CREATE\s+DATABASE\s/i.test(q) || q.includes(";")) {
      throw new AppError(400, "unsupported_query", "InfluxQL queries are not supported; read data through POST /api/v1/query (only CREATE DATABASE is accepted, as a no-op)", { field: "q" });
    }
    return Response.json({ results: [{ statement_id: 0 }] }, { headers: API_HEADERS });
  } catch (err) {
    return apiErrorResponse(toAppError(err, deps.log, { method: req.method, path: "/query" }));
  }
}

function readPrecision(raw: string | null, version: "v1" | "v2"): Precision {
  if (raw === null || raw === "") return "ns";
  const table = version === "v2" ? V2_PRECISIONS : V1_PRECISIONS;
  const p = table[raw];
  if (!p) throw new AppError(400, "invalid_precision", `precision must be one of ${Object.keys(table).join(", ")} (got "${raw}")`, { field: "precision" });
  return p;
}

function parse(text: string, precision: Precision, now: number): LineProtocolColumns {
  if (text.trim() === "") throw bodyFault(POINTS, "The body is empty; send line protocol (measurement,tag=v field=1 timestamp)");
  try {
    return parseLineProtocolColumns(text, precision, now);
  } catch (err) {
    if (err instanceof TooManyLines) throw bodyFault(POINTS, err.message);
    throw err;
  }
}

/**
 * All or nothing, as InfluxDB refuses a batch with a line it cannot parse. The message names the
 * line by number and says why (InfluxDB's "unable to parse" wording) without echoing its text:
 * an error answer never repeats request data back.
 */
function checked(r: LineProtocolColumns): LineProtocolColumns {
  if (r.errors.length === 0) return r;
  const first = r.errors[0]!;
  const more = r.errors.length > 1 ? ` (and ${r.errors.length - 1} more bad line${r.errors.length > 2 ? "s" : ""})` : "";
  throw new AppError(400, POINTS.code, `unable to parse ${first.message}${more}; nothing was stored`, { errors: r.errors });
}
