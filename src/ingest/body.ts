import { AppError } from "../lib/errors";

/**
 * Reading an ingestion body (DESIGN.md, Settled details): at most 1 MiB, counted while reading
 * (never after buffering an unbounded body) and again after gzip is inflated — inflated as a
 * stream and stopped at the cap, so a gzip bomb costs ~1 MiB, not gigabytes. UTF-8 decoded with
 * `fatal: true`. JSON is read whether the body is declared application/json, text/plain
 * (sendBeacon) or application/x-www-form-urlencoded (what `curl -d` sends); other types are 415.
 * Bun.serve's own cap (maxRequestBodySize) sits above this one so the answer here is JSON.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

const JSON_TYPES = new Set(["application/json", "text/plain", "application/x-www-form-urlencoded"]);

export const tooLarge = (message: string) => new AppError(413, "payload_too_large", message);

/**
 * The body's bytes (inflated when gzip) and its text. Whole-body faults (bad gzip, bad UTF-8)
 * are thrown as `fault(message)` so each endpoint answers them in its own error code.
 */
export async function readIngestBody(
  req: Request,
  fault: (message: string) => AppError,
  opts: { maxBytes?: number; anyContentType?: boolean; encoding?: "gzip"; sniffGzip?: boolean } = {},
): Promise<{ text: string; bytes: Uint8Array }> {
  const max = opts.maxBytes ?? MAX_BODY_BYTES;
  // Drop-ins whose clients declare their own types (line protocol, PostHog's gzip-js) skip the JSON check.
  if (!opts.anyContentType) checkContentType(req.headers.get("content-type"));
  const encoding = opts.encoding ?? (req.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip" && encoding !== "x-gzip") {
    throw new AppError(415, "unsupported_encoding", `Content-Encoding "${encoding}" is not supported; send gzip or nothing`);
  }
  const raw = await readCapped(req, max);
  // posthog-js sends gzip with neither a header nor a query flag; PostHog's capture sniffs the magic bytes.
  const gzip = encoding !== "identity" || (opts.sniffGzip === true && raw[0] === 0x1f && raw[1] === 0x8b);
  const bytes = gzip ? await inflateCapped(raw, max, fault) : raw;
  return { text: decodeUtf8(bytes, fault), bytes };
}

function checkContentType(header: string | null) {
  if (header === null) return; // no declared type: read as JSON
  const type = header.split(";", 1)[0]!.trim().toLowerCase();
  if (type === "" || JSON_TYPES.has(type) || type.endsWith("+json")) return;
  throw new AppError(415, "unsupported_media_type", `Content-Type "${type}" is not supported; send JSON (application/json)`);
}

async function readCapped(req: Request, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > max) throw tooLarge(`The body is ${declared} bytes; at most ${max} bytes per request`);
  // A declared length is enforced by the server (the body cannot run past it), so it may be read whole.
  if (Number.isFinite(declared)) return new Uint8Array(await req.arrayBuffer());
  if (!req.body) return new Uint8Array(0);
  return collect(req.body, max, () => tooLarge(`The body is larger than ${max} bytes`));
}

/** Inflate gzip a chunk at a time (DecompressionStream pulls lazily) and stop past `max` bytes. */
export async function inflateCapped(gz: Uint8Array, max: number, fault: (message: string) => AppError): Promise<Uint8Array> {
  const stream = new Blob([gz as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
  try {
    return await collect(stream, max, () => tooLarge(`The body inflates to more than ${max} bytes`));
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw fault("The body is not valid gzip (Content-Encoding: gzip)");
  }
}

async function collect(stream: ReadableStream<Uint8Array>, max: number, over: () => AppError): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw over();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) out.set(c, at), (at += c.byteLength);
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeUtf8(bytes: Uint8Array, fault: (message: string) => AppError): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw fault("The body is not valid UTF-8");
  }
}
