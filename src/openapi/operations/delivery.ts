import type { JsonSchema } from "../json-schema";

/** THE delivery log's attempt (src/delivery/log.ts presentAttempt), the same in every area's API. */
export const attemptSchema: JsonSchema = {
  type: "object",
  properties: {
    attempt: { type: "integer", description: "1 for the first try" },
    at: { type: "string", format: "date-time" },
    ok: { type: "boolean" },
    status_code: { type: ["integer", "null"], description: "What the receiver answered; null for mail, in-app, or no answer" },
    error: { type: ["string", "null"], description: "Why it failed (URLs in it masked)" },
    response: { type: ["string", "null"], description: "The first KB of the receiver's answer" },
    duration_ms: { type: "integer" },
  },
};
