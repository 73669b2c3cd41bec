import type { Deps } from "../deps";
import { AppError, type ItemError } from "../lib/errors";
import { parseEvents } from "./events-payload";
import { schemaErrors } from "../namespaces/schemas";
import type { IdempotencyGate } from "./idempotency";
import { bodyFault, EVENTS, parsePoints, POINTS, type Kind } from "./payload";
import { answerFor, type Answer } from "../writer/batch";

/**
 * The ingestion use cases, apart from HTTP: a read body in, an answer out. Validation happens
 * before anything is queued, so a request that fails it changes nothing; with `partial` the valid
 * items are stored and the answer is 207 with the errors of the others.
 */
export type IngestInput = {
  productId: string;
  apiKeyId: string | null;
  text: string;
  bytes: Uint8Array;
  partial: boolean;
  idempotencyKey: string | null;
};
export type IngestAnswer = Answer & { replayed: boolean };

export function ingestPoints(deps: Pick<Deps, "queue" | "clock">, gate: IdempotencyGate, input: IngestInput): Promise<IngestAnswer> {
  return once(gate, input, async (record) => {
    const now = deps.clock.now();
    const { points, errors } = parsePoints(parseJson(input.text, POINTS), now);
    refuseUnlessPartial(errors, input.partial, POINTS);
    if (points.length === 0 && !record) return answerFor("points", { accepted: 0 }, errors);
    const result = await deps.queue.submitPoints(input.productId, points, {
      apiKeyId: input.apiKeyId ?? undefined,
      idempotency: record && { ...record, errors },
    });
    return answerFor("points", result, errors);
  });
}

export function ingestEvents(deps: Pick<Deps, "queue" | "clock" | "db">, gate: IdempotencyGate, input: IngestInput): Promise<IngestAnswer> {
  return once(gate, input, async (record) => {
    const now = deps.clock.now();
    const parsed = parseEvents(parseJson(input.text, EVENTS), now);
    let { events, errors } = parsed;
    // Namespaces that enforce a schema refuse the events that break it, like any invalid event.
    const refused = new Set(errors.map((e) => e.index));
    const indexed = events.map((event) => ({ event, index: -1 }));
    for (let index = 0, k = 0; index < parsed.total && k < indexed.length; index++) if (!refused.has(index)) indexed[k++]!.index = index;
    const broken = schemaErrors(deps.db, input.productId, indexed);
    if (broken.length) {
      const bad = new Set(broken.map((e) => e.index));
      events = indexed.filter((x) => !bad.has(x.index)).map((x) => x.event);
      errors = [...errors, ...broken].sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
    }
    refuseUnlessPartial(errors, input.partial, EVENTS);
    if (events.length === 0 && !record) return answerFor("events", { accepted: 0, duplicates: 0 }, errors);
    const result = await deps.queue.submitEvents(input.productId, events, {
      apiKeyId: input.apiKeyId ?? undefined,
      idempotency: record && { ...record, errors },
    });
    return answerFor("events", result, errors);
  });
}

type IdemRecord = { key: string; bodyHash: string } | undefined;

async function once(gate: IdempotencyGate, input: IngestInput, exec: (record: IdemRecord) => Promise<Answer>): Promise<IngestAnswer> {
  if (input.idempotencyKey === null) return { ...(await exec(undefined)), replayed: false };
  return gate.run(input.productId, input.idempotencyKey, { mode: input.partial ? "partial" : "all", bytes: input.bytes }, exec);
}

function parseJson(text: string, kind: Kind): unknown {
  if (text.trim() === "") throw bodyFault(kind, `The body is empty; send a JSON ${kind.noun}, an array, or { "${kind.wrapper}": [...] }`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw bodyFault(kind, `The body is not valid JSON (${err instanceof Error ? err.message : "parse error"})`);
  }
}

function refuseUnlessPartial(errors: ItemError[], partial: boolean, kind: Kind) {
  if (errors.length === 0 || partial) return;
  const bad = new Set(errors.map((e) => e.index)).size;
  throw new AppError(400, kind.code, `${bad} ${kind.noun}${bad === 1 ? "" : "s"} failed validation; nothing was stored (add ?partial=1 to store the valid ones)`, {
    errors,
  });
}

