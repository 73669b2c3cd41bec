import { AppError } from "../../lib/errors";
import { readIngestBody } from "../../ingest/body";
import { bodyFault, EVENTS } from "../../ingest/payload";

/**
 * The bodies PostHog's clients send (https://posthog.com/docs/api/capture): JSON, gzipped with
 * `Content-Encoding: gzip` (posthog-node), marked `?compression=gzip-js` (older posthog-js) or
 * unmarked (posthog-js 1.4xx: known by gzip's magic bytes, as PostHog's capture service does),
 * and the older form-encoded `data=<base64 or JSON>` (`?compression=base64`).
 * Always within the native 1 MiB cap, counted after inflating.
 */
export async function readPostHogBody(req: Request, query: URLSearchParams): Promise<{ body: unknown; bytes: Uint8Array }> {
  const compression = query.get("compression");
  if (compression === "lz64") throw new AppError(415, "unsupported_encoding", "compression=lz64 is not supported; posthog-js sends gzip-js by default");
  const forceGzip = compression === "gzip-js" || compression === "gzip";
  const { text, bytes } = await readIngestBody(req, fault, { anyContentType: true, encoding: forceGzip ? "gzip" : undefined, sniffGzip: true });
  const type = (req.headers.get("content-type") ?? "").split(";", 1)[0]!.trim().toLowerCase();
  let json = text;
  if (type === "application/x-www-form-urlencoded" || /^data=/.test(text)) {
    const data = new URLSearchParams(text).get("data");
    if (data === null) throw fault('A form-encoded body must have a "data" field');
    json = data.trimStart().startsWith("{") || data.trimStart().startsWith("[") ? data : fromBase64(data);
  } else if (compression === "base64") json = fromBase64(text);
  if (json.trim() === "") throw fault("The body is empty; send a PostHog event or { batch: [...] }");
  try {
    return { body: JSON.parse(json), bytes };
  } catch (err) {
    throw fault(`The body is not valid JSON (${err instanceof Error ? err.message : "parse error"})`);
  }
}

const fault = (message: string) => bodyFault(EVENTS, message);
const utf8 = new TextDecoder("utf-8", { fatal: true });

function fromBase64(s: string): string {
  try {
    return utf8.decode(Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
  } catch {
    throw fault("The data field is not valid base64 of UTF-8 JSON");
  }
}
