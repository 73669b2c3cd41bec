// RFC 3339 parsing lives in lib/time/ with the other time code. This path stays only for the write
// path's import (src/ingest/payload.ts, being rewritten on another branch); import lib/time/rfc3339.
export { parseRfc3339, RFC3339_HINT } from "./time/rfc3339";
