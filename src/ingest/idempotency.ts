import { createHash } from "node:crypto";
import * as v from "valibot";
import type { Database, Statement } from "bun:sqlite";
import type { Deps } from "../deps";
import { AppError } from "../lib/errors";
import type { Answer } from "../writer/batch";

/**
 * Idempotency-Key (DESIGN.md, Settled details): per product, kept 24 h. The first answer is
 * stored with a hash of the body inside the flush transaction that stored the data, so a crash
 * cannot keep one without the other. The same key with another body is 422; a concurrent
 * duplicate waits for the first request's answer. Only answers that stored something (200/207)
 * are kept: a refused request changes nothing, so repeating it is already safe.
 */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

const KeySchema = v.pipe(
  v.string(),
  v.regex(/^[\x21-\x7e]{1,255}$/, "Idempotency-Key must be 1–255 visible ASCII characters (a UUID is a good choice)"),
);

export type IdempotencyGate = {
  /** Runs `exec` once per (product, key); a retry gets the stored answer with `replayed: true`. */
  run(
    productId: string,
    key: string,
    body: { mode: string; bytes: Uint8Array },
    exec: (record: { key: string; bodyHash: string }) => Promise<Answer>,
  ): Promise<Answer & { replayed: boolean }>;
};

export function createIdempotencyGate(sqlite: Database, clock: { now(): number }): IdempotencyGate {
  const inflight = new Map<string, Promise<unknown>>();
  const lookup: Statement = sqlite.prepare(
    "SELECT body_hash AS bodyHash, status, response FROM idempotency_keys WHERE product_id = ? AND key = ? AND created_at > ?",
  );
  return {
    async run(productId, rawKey, body, exec) {
      const parsed = v.safeParse(KeySchema, rawKey);
      if (!parsed.success) throw new AppError(400, "invalid_idempotency_key", parsed.issues[0].message, { field: "Idempotency-Key" });
      const key = parsed.output;
      const bodyHash = createHash("sha256").update(body.mode).update("\n").update(body.bytes).digest("hex");
      const slot = `${productId}\u0000${key}`;
      // A concurrent duplicate waits for the first to finish (whatever its outcome), then looks again.
      for (let first = inflight.get(slot); first; first = inflight.get(slot)) await first.catch(() => {});
      const stored = lookup.get(productId, key, clock.now() - IDEMPOTENCY_TTL_MS) as { bodyHash: string; status: number; response: string } | null;
      if (stored) {
        if (stored.bodyHash !== bodyHash) {
          throw new AppError(422, "idempotency_key_reused", "This Idempotency-Key was already used with a different body; use a new key for a new request", {
            field: "Idempotency-Key",
          });
        }
        return { status: stored.status, body: JSON.parse(stored.response), replayed: true };
      }
      const running = exec({ key, bodyHash });
      inflight.set(slot, running);
      try {
        return { ...(await running), replayed: false };
      } finally {
        inflight.delete(slot);
      }
    },
  };
}

/** The job (src/jobs/index.ts): forget keys older than 24 h, in small batches through the writer. */
export async function expireIdempotencyKeys(deps: Pick<Deps, "queue" | "clock">): Promise<number> {
  const cutoff = deps.clock.now() - IDEMPOTENCY_TTL_MS;
  let total = 0;
  for (;;) {
    const n = await deps.queue.expireIdempotency(cutoff, 2000);
    total += n;
    if (n < 2000) return total;
  }
}
