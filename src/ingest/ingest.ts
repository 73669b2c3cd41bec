import type { Deps } from "../deps";
import { AppError, type ItemError } from "../lib/errors";
import { parseEvents } from "./events-payload";
import { schemaErrors } from "../namespaces/schemas";
import type { IdempotencyGate } from "./idempotency";
import { bodyFault, EVENTS, parsePoints, POINTS, type Kind } from "./payload";
import { answerFor, pointCount, type Answer, type EventRecord, type PointColumns, type PointRecord } from "../writer/batch";

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
  return storePoints(deps, gate, input, (now) => parsePoints(parseJson(input.text, POINTS), now));
}

export function ingestEvents(deps: Pick<Deps, "queue" | "clock" | "db">, gate: IdempotencyGate, input: IngestInput): Promise<IngestAnswer> {
  return storeEvents(deps, gate, input, (now) => parseEvents(parseJson(input.text, EVENTS), now));
}

/**
 * The part after parsing, shared with the drop-ins (src/dropins/): each turns its own wire format
 * into validated records with `parse`, and from here on every protocol has the same partial
 * rules, idempotency, write path and answer-after-commit. Points may come as records or already
 * in the writer's columns (line protocol builds them while parsing).
 */
export type RecordsInput = Omit<IngestInput, "text">;

export function storePoints(
  deps: Pick<Deps, "queue" | "clock">,
  gate: IdempotencyGate,
  input: RecordsInput,
  parse: (now: number) => { points: PointRecord[] | PointColumns; errors: ItemError[] },
): Promise<IngestAnswer> {
  return once(gate, input, async (record) => {
    const { points, errors } = parse(deps.clock.now());
    refuseUnlessPartial(errors, input.partial, POINTS);
    if (pointCount(points) === 0 && !record) return answerFor("points", { accepted: 0 }, errors);
    const result = await deps.queue.submitPoints(input.productId, points, {
      apiKeyId: input.apiKeyId ?? undefined,
      idempotency: record && { ...record, errors },
    });
    return answerFor("points", result, errors);
  });
}

export function storeEvents(
  deps: Pick<Deps, "queue" | "clock" | "db">,
  gate: IdempotencyGate,
  input: RecordsInput,
  parse: (now: number) => { events: EventRecord[]; errors: ItemError[] },
): Promise<IngestAnswer> {
  return once(gate, input, async (record) => {
    const { events, errors } = withSchemaErrors(deps.db, input.productId, parse(deps.clock.now()));
    refuseUnlessPartial(errors, input.partial, EVENTS);
    if (events.length === 0 && !record) return answerFor("events", { accepted: 0, duplicates: 0 }, errors);
    const result = await deps.queue.submitEvents(input.productId, events, {
      apiKeyId: input.apiKeyId ?? undefined,
      idempotency: record && { ...record, errors },
    });
    return answerFor("events", result, errors);
  });
}

/**
 * Namespaces that enforce a schema refuse the events that break it, like any invalid event —
 * whichever protocol sent them. Items keep their index in the request: the valid events are the
 * items without an error, in order.
 */
function withSchemaErrors(db: Deps["db"], productId: string, parsed: { events: EventRecord[]; errors: ItemError[] }) {
  const refused = new Set(parsed.errors.map((e) => e.index));
  const total = parsed.events.length + refused.size;
  const indexed = parsed.events.map((event) => ({ event, index: -1 }));
  for (let index = 0, k = 0; index < total && k < indexed.length; index++) if (!refused.has(index)) indexed[k++]!.index = index;
  const broken = schemaErrors(db, productId, indexed);
  if (!broken.length) return parsed;
  const bad = new Set(broken.map((e) => e.index));
  return {
    events: indexed.filter((x) => !bad.has(x.index)).map((x) => x.event),
    errors: [...parsed.errors, ...broken].sort((a, b) => (a.index ?? -1) - (b.index ?? -1)),
  };
}

type IdemRecord = { key: string; bodyHash: string } | undefined;

async function once(gate: IdempotencyGate, input: RecordsInput, exec: (record: IdemRecord) => Promise<Answer>): Promise<IngestAnswer> {
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

export function refuseUnlessPartial(errors: ItemError[], partial: boolean, kind: Kind) {
  if (errors.length === 0 || partial) return;
  const bad = new Set(errors.map((e) => e.index)).size;
  throw new AppError(400, kind.code, `${bad} ${kind.noun}${bad === 1 ? "" : "s"} failed validation; nothing was stored (add ?partial=1 to store the valid ones)`, {
    errors,
  });
}

