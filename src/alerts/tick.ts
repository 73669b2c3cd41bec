import { and, eq, lt } from "drizzle-orm";
import type { Database } from "bun:sqlite";
import type { Deps } from "../deps";
import type { Db } from "../db/connection";
import { alertEpisodes, alertNotifications, alertRules, products } from "../db/schema";
import { newId } from "../lib/tokens";
import type { StoredChannel } from "./channels/kind";
import { floorMinute } from "./durations";
import { boundariesBetween, compileRule, evaluateRule, SeriesStore, type CompiledRule, type Evaluation } from "./evaluate";
import { stepEpisode } from "./episodes";
import type { AlertPayload } from "./payload";
import { definitionOf, isSilenced, listChannels, ruleUrl, type RuleRow } from "./rules";
import { deliverDue } from "./deliver";
import { sendDigests } from "./digest";
import { createPacer } from "./pacer";
import { outboxFor } from "../webhooks/outbox";

/**
 * The per-minute alert job. Each rule's `evaluated_through` is its watermark: the boundaries
 * after it up to now are judged (oldest first; after downtime, the missed ones too), and the
 * episode changes, the notifications they cause and the new watermark are committed in ONE
 * transaction (a savepoint per rule inside one transaction per COMMIT_BATCH rules: a commit is
 * an fsync, and a thousand of them per minute would be most of a tick). So a crash before the
 * commit re-judges the same boundaries from the same state (the same verdicts), and one after it
 * finds them done: a restart neither skips nor repeats a notification. Notifications are sent after the commit (src/alerts/deliver.ts);
 * the product webhooks' alert.firing / alert.resolved messages are outbox rows of the same transaction (src/webhooks/).
 * Reads go through the query engine on the read-only connection (deps.reader), one read per
 * distinct query for all the rules that share it, and the job paces itself (src/alerts/pacer.ts)
 * so ingestion requests keep being parsed and handed to the writer while it runs.
 */
const MAX_BOUNDARIES_PER_TICK = 1440; // a rule a day behind catches up a day per tick
const COMMIT_BATCH = 100; // rules per transaction: few fsyncs, and the write lock is held for milliseconds

export type TickResult = { rules: number; boundaries: number; reads: number; started: number; resolved: number; failed: number };

/** The tick's share of the thread while it runs (R20: ingestion during a tick ≥ 0.8× without). */
const THREAD_SHARE = 0.15;

export async function evaluateAlerts(deps: Deps, opts: { share?: number } = {}): Promise<TickResult> {
  const pace = createPacer({ share: opts.share ?? THREAD_SHARE });
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
  await store.load(pace);
  result.reads = store.reads;
  for (let i = 0; i < work.length; i += COMMIT_BATCH) {
    const judged: { item: (typeof work)[number]; evaluations: Evaluation[] }[] = [];
    for (const item of work.slice(i, i + COMMIT_BATCH)) {
      try {
        judged.push({ item, evaluations: evaluateRule(item.compiled, item.boundaries, store) });
      } catch (err) {
        failRule(deps, item.row, err);
        result.failed++;
      }
      await pace();
    }
    const failures: { row: RuleRow; err: unknown }[] = [];
    deps.db.transaction((tx) => {
      for (const { item, evaluations } of judged) {
        try {
          // A savepoint per rule: one rule's failure undoes only its own changes.
          const done = tx.transaction((sp) => applyEvaluations(sp as unknown as Db, deps.db.$client, deps.config.baseUrl, item.row, item.productName, item.compiled, evaluations, now));
          result.rules += 1;
          result.boundaries += evaluations.length;
          result.started += done.started;
          result.resolved += done.resolved;
        } catch (err) {
          failures.push({ row: item.row, err });
        }
      }
    });
    for (const f of failures) {
      failRule(deps, f.row, f.err);
      result.failed++;
    }
    await pace();
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

/**
 * Applies a run of verdicts to the rule's episodes and moves its watermark (inside the caller's
 * transaction). The watermark moves first, conditioned on its old value: a rule deleted or
 * evaluated by another run meanwhile changes nothing. A minute that starts or ends nothing costs
 * two statements (this runs for every rule every minute). `sqlite` is the connection `db` (a
 * transaction) runs on, for the hot statements through bun:sqlite's statement cache.
 */
export function applyEvaluations(db: Db, sqlite: Database, baseUrl: string, rule: RuleRow, productName: string, compiled: CompiledRule, evaluations: Evaluation[], now: number) {
  const done = { started: 0, resolved: 0 };
  if (!evaluations.length) return done;
  const moved = sqlite
    .query("UPDATE alerts SET evaluated_through = ?, last_error = NULL WHERE id = ? AND evaluated_through = ?")
    .run(evaluations[evaluations.length - 1]!.at, rule.id, rule.evaluatedThrough);
  if (moved.changes === 0) return done;
  const last = sqlite.query("SELECT id, started_at, resolved_at, last_value FROM alert_episodes WHERE rule_id = ? ORDER BY started_at DESC LIMIT 1").get(rule.id) as
    | { id: string; started_at: number; resolved_at: number | null; last_value: number | null }
    | null;
  let open = last && last.resolved_at === null ? { id: last.id, lastValue: last.last_value } : null;
  const state = { openSince: open ? last!.started_at : null, lastStart: last?.started_at ?? null };
  let channels: StoredChannel[] | null = null;
  const describe = () => compiled.kind.describe(compiled.params);
  for (const e of evaluations) {
    const step = stepEpisode(state, e.firing, e.at, compiled.cooldownMs);
    if (step === "start") {
      open = { id: newId(), lastValue: e.value };
      db.insert(alertEpisodes)
        .values({ id: open.id, ruleId: rule.id, productId: rule.productId, startedAt: e.at, resolvedAt: null, status: "active", startValue: e.value, threshold: e.threshold, lastValue: e.value })
        .run();
      notify(db, sqlite, baseUrl, rule, productName, describe(), (channels ??= listChannels(db, rule.id)), open.id, "started", e, now);
      done.started++;
    } else if (step === "continue" && open) {
      open.lastValue = e.value;
    } else if (step === "resolve" && open) {
      db.update(alertEpisodes).set({ resolvedAt: e.at, status: "resolved", lastValue: open.lastValue }).where(eq(alertEpisodes.id, open.id)).run();
      notify(db, sqlite, baseUrl, rule, productName, describe(), (channels ??= listChannels(db, rule.id)), open.id, "resolved", e, now);
      open = null;
      done.resolved++;
    }
  }
  if (open && open.lastValue !== last?.last_value) sqlite.query("UPDATE alert_episodes SET last_value = ? WHERE id = ?").run(open.lastValue, open.id);
  return done;
}

function notify(db: Db, sqlite: Database, baseUrl: string, rule: RuleRow, productName: string, describe: string, channels: StoredChannel[], episodeId: string, kind: "started" | "resolved", e: Evaluation, now: number) {
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
  // The product's webhooks subscribed to alert.firing / alert.resolved, in the same transaction
  // as the episode change (src/webhooks/outbox.ts); a muted or snoozed rule announces nothing.
  if (!silenced) {
    const outbox = outboxFor(sqlite);
    const subs = outbox.subscriptions(rule.productId);
    if (subs.length) outbox.enqueue(rule.productId, subs, kind === "started" ? "alert.firing" : "alert.resolved", payload, e.at, now);
  }
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
