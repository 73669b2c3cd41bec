import { and, desc, eq, lt } from "drizzle-orm";
import type { Deps } from "../deps";
import type { Db } from "../db/connection";
import { alertEpisodes, alertNotifications, alertRules, products } from "../db/schema";
import { newId } from "../lib/tokens";
import type { StoredChannel } from "./channels/kind";
import { floorMinute } from "./durations";
import { boundariesBetween, compileRule, evaluateRule, SeriesStore, type CompiledRule, type Evaluation } from "./evaluate";
import { stepEpisode } from "./episodes";
import type { AlertPayload } from "./payload";
import { definitionOf, isSilenced, listChannels, openEpisode, ruleUrl, type RuleRow } from "./rules";
import { deliverDue } from "./deliver";
import { sendDigests } from "./digest";

/**
 * The per-minute alert job. Each rule's `evaluated_through` is its watermark: the boundaries
 * after it up to now are judged (oldest first; after downtime, the missed ones too), and the
 * episode changes, the notifications they cause and the new watermark are committed in ONE
 * transaction per rule. So a crash before the commit re-judges the same boundaries from the same
 * state (the same verdicts), and one after it finds them done: a restart neither skips nor
 * repeats a notification. Notifications are sent after the commit (src/alerts/deliver.ts).
 * Reads go through the query engine on the read-only connection (deps.reader), one read per
 * distinct query for all the rules that share it, and the job yields the thread between reads
 * and rules so ingestion requests keep being parsed and handed to the writer.
 */
const MAX_BOUNDARIES_PER_TICK = 1440; // a rule a day behind catches up a day per tick

export type TickResult = { rules: number; boundaries: number; reads: number; started: number; resolved: number; failed: number };

const yieldThread = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function evaluateAlerts(deps: Deps): Promise<TickResult> {
  const now = deps.clock.now();
  const through = floorMinute(now);
  const due = deps.db
    .select({ rule: alertRules, timezone: products.timezone, productName: products.name })
    .from(alertRules)
    .innerJoin(products, eq(products.id, alertRules.productId))
    .where(lt(alertRules.evaluatedThrough, through))
    .all();
  const store = new SeriesStore(deps.reader, now);
  const work: { row: RuleRow; productName: string; compiled: CompiledRule; boundaries: number[] }[] = [];
  const result: TickResult = { rules: 0, boundaries: 0, reads: 0, started: 0, resolved: 0, failed: 0 };
  for (const { rule, timezone, productName } of due) {
    try {
      const compiled = compileRule(rule.id, { id: rule.productId, timezone }, definitionOf(rule));
      const boundaries = boundariesBetween(rule.evaluatedThrough, through, MAX_BOUNDARIES_PER_TICK);
      store.plan(compiled, boundaries);
      work.push({ row: rule, productName, compiled, boundaries });
    } catch (err) {
      failRule(deps, rule, err);
      result.failed++;
    }
  }
  await store.load(yieldThread);
  result.reads = store.reads;
  for (const item of work) {
    try {
      const evaluations = evaluateRule(item.compiled, item.boundaries, store);
      const done = commitEvaluations(deps, item.row, item.productName, item.compiled, evaluations, now);
      result.rules += 1;
      result.boundaries += evaluations.length;
      result.started += done.started;
      result.resolved += done.resolved;
    } catch (err) {
      failRule(deps, item.row, err);
      result.failed++;
    }
    await yieldThread();
  }
  await deliverDue(deps);
  await sendDigests(deps);
  return result;
}

function failRule(deps: Deps, rule: RuleRow, err: unknown) {
  const message = err instanceof Error ? err.message : String(err);
  deps.log.warn("alert rule could not be evaluated; it is tried again next minute", { ruleId: rule.id, productId: rule.productId, err: message });
  deps.db.update(alertRules).set({ lastError: message }).where(eq(alertRules.id, rule.id)).run();
}

/** Applies a run of verdicts to the rule's episodes and moves its watermark, in one transaction. */
export function commitEvaluations(deps: Pick<Deps, "db" | "config">, rule: RuleRow, productName: string, compiled: CompiledRule, evaluations: Evaluation[], now: number) {
  const done = { started: 0, resolved: 0 };
  if (!evaluations.length) return done;
  deps.db.transaction((tx) => {
    const db = tx as unknown as Db;
    const current = db.select().from(alertRules).where(eq(alertRules.id, rule.id)).get();
    // Deleted meanwhile, or another run got here first: nothing to do.
    if (!current || current.evaluatedThrough !== rule.evaluatedThrough) return;
    let open = openEpisode(db, rule.id);
    const last = db.select({ startedAt: alertEpisodes.startedAt }).from(alertEpisodes).where(eq(alertEpisodes.ruleId, rule.id)).orderBy(desc(alertEpisodes.startedAt)).limit(1).get();
    const state = { openSince: open?.startedAt ?? null, lastStart: last?.startedAt ?? null };
    const channels = listChannels(db, rule.id);
    const describe = compiled.kind.describe(compiled.params);
    for (const e of evaluations) {
      const step = stepEpisode(state, e.firing, e.at, compiled.cooldownMs);
      if (step === "start") {
        open = { id: newId(), ruleId: rule.id, productId: rule.productId, startedAt: e.at, resolvedAt: null, status: "active", startValue: e.value, threshold: e.threshold, lastValue: e.value, acknowledgedAt: null, acknowledgedBy: null };
        db.insert(alertEpisodes).values(open).run();
        notify(db, deps.config.baseUrl, current, productName, describe, channels, open.id, "started", e, now);
        done.started++;
      } else if (step === "continue" && open) {
        open.lastValue = e.value;
      } else if (step === "resolve" && open) {
        db.update(alertEpisodes).set({ resolvedAt: e.at, status: "resolved", lastValue: open.lastValue }).where(eq(alertEpisodes.id, open.id)).run();
        notify(db, deps.config.baseUrl, current, productName, describe, channels, open.id, "resolved", e, now);
        open = undefined;
        done.resolved++;
      }
    }
    if (open) db.update(alertEpisodes).set({ lastValue: open.lastValue }).where(eq(alertEpisodes.id, open.id)).run();
    db.update(alertRules).set({ evaluatedThrough: evaluations[evaluations.length - 1]!.at, lastError: null }).where(eq(alertRules.id, rule.id)).run();
  });
  return done;
}

function notify(db: Db, baseUrl: string, rule: RuleRow, productName: string, describe: string, channels: StoredChannel[], episodeId: string, kind: "started" | "resolved", e: Evaluation, now: number) {
  const at = new Date(e.at).toISOString();
  const payload: AlertPayload = {
    alert: { id: rule.id, name: rule.name, productId: rule.productId, productName, condition: describe },
    state: kind === "started" ? "firing" : "resolved",
    value: e.value,
    threshold: e.threshold,
    at,
    url: `${baseUrl}${ruleUrl(rule.productId, rule.id)}?at=${encodeURIComponent(at)}`,
  };
  const silenced = isSilenced(rule, e.at);
  for (const ch of channels) {
    // A resolution goes only where its start went: nobody hears "resolved" for a start they never got.
    const startMuted =
      kind === "resolved" &&
      db
        .select({ status: alertNotifications.status })
        .from(alertNotifications)
        .where(and(eq(alertNotifications.episodeId, episodeId), eq(alertNotifications.channelId, ch.id), eq(alertNotifications.kind, "started")))
        .get()?.status === "muted";
    const digest = ch.type === "email" && ch.config.digest !== undefined && ch.config.digest !== "off";
    db.insert(alertNotifications)
      .values({
        id: newId(),
        productId: rule.productId,
        ruleId: rule.id,
        episodeId,
        channelId: ch.id,
        kind,
        status: silenced || startMuted ? "muted" : digest ? "digest" : "pending",
        payload: JSON.stringify(payload),
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .run();
  }
}
