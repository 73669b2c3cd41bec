import { and, asc, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/connection";
import { alertChannels, alertEpisodes, alertRules } from "../db/schema";
import { notFound } from "../lib/errors";
import { newId } from "../lib/tokens";
import { channelKind } from "./channels";
import type { StoredChannel } from "./channels/kind";
import { floorMinute } from "./durations";
import type { RuleInput } from "./rule-input";
import { productUrl } from "../products/urls";
import type { RuleDefinition } from "./evaluate";

/**
 * Alert rules and their channels (control-plane rows, written with deps.db). A new rule's
 * watermark is the minute it was made: it is judged from the next boundary on, never backwards
 * (the backtest shows the past).
 */
export type RuleRow = typeof alertRules.$inferSelect;
export type EpisodeRow = typeof alertEpisodes.$inferSelect;

export const ruleUrl = (productId: string, ruleId: string) => productUrl(productId, "alerts", ruleId);

export function definitionOf(row: RuleRow): RuleDefinition {
  return { query: JSON.parse(row.query), window: row.window, condition: JSON.parse(row.condition), cooldown: row.cooldown };
}

export function createRule(db: Db, productId: string, input: RuleInput, createdBy: string | null, now: number): { rule: RuleRow; shownSecrets: Map<number, string> } {
  const rule: RuleRow = {
    id: newId(),
    productId,
    name: input.name,
    query: JSON.stringify(input.query),
    window: input.window,
    condition: JSON.stringify(input.condition),
    cooldown: input.cooldown,
    mutedAt: input.muted ? now : null,
    snoozedUntil: input.snoozedUntil,
    evaluatedThrough: floorMinute(now),
    lastError: null,
    createdBy,
    createdAt: now,
    updatedAt: now,
  };
  const shownSecrets = new Map<number, string>();
  db.transaction((tx) => {
    tx.insert(alertRules).values(rule).run();
    input.channels.forEach((ch, i) => {
      tx.insert(alertChannels).values(channelRow(rule, ch, i, now)).run();
      if (ch.shownSecret) shownSecrets.set(i, ch.shownSecret);
    });
  });
  return { rule, shownSecrets };
}

const channelRow = (rule: Pick<RuleRow, "id" | "productId">, ch: RuleInput["channels"][number], position: number, now: number, id = newId()) => ({
  id,
  ruleId: rule.id,
  productId: rule.productId,
  position,
  type: ch.type,
  config: JSON.stringify(ch.config),
  secretSealed: ch.secretSealed,
  digestThrough: null,
  createdAt: now,
});

/**
 * Saves an edited rule. Channels given again with the same settings (a webhook with the same URL)
 * keep their id, secret and delivery history; others are replaced. The watermark stays: the
 * edited rule is judged from the next boundary on, its open episode continuing if it still fires.
 */
export function updateRule(db: Db, rule: RuleRow, input: RuleInput, channelsGiven: boolean, now: number): { rule: RuleRow; shownSecrets: Map<number, string> } {
  const shownSecrets = new Map<number, string>();
  const next: RuleRow = {
    ...rule,
    name: input.name,
    query: JSON.stringify(input.query),
    window: input.window,
    condition: JSON.stringify(input.condition),
    cooldown: input.cooldown,
    mutedAt: input.muted ? (rule.mutedAt ?? now) : null,
    snoozedUntil: input.snoozedUntil,
    updatedAt: now,
  };
  db.transaction((tx) => {
    tx.update(alertRules).set(next).where(eq(alertRules.id, rule.id)).run();
    if (!channelsGiven) return;
    const old = listChannels(tx as unknown as Db, rule.id);
    const kept = new Set<string>();
    input.channels.forEach((ch, i) => {
      const same = old.find((o) => !kept.has(o.id) && (o.id === ch.keepId || (o.type === ch.type && o.type !== "slack" && o.type !== "webhook" && JSON.stringify(o.config) === JSON.stringify(ch.config))));
      if (same) {
        kept.add(same.id);
        tx.update(alertChannels).set({ position: i, config: JSON.stringify(ch.config), secretSealed: ch.secretSealed }).where(eq(alertChannels.id, same.id)).run();
      } else {
        tx.insert(alertChannels).values(channelRow(rule, ch, i, now)).run();
        if (ch.shownSecret) shownSecrets.set(i, ch.shownSecret);
      }
    });
    for (const o of old) if (!kept.has(o.id)) tx.delete(alertChannels).where(eq(alertChannels.id, o.id)).run();
  });
  return { rule: next, shownSecrets };
}

export function getRule(db: Db, productId: string, ruleId: string): RuleRow {
  const row = db.select().from(alertRules).where(and(eq(alertRules.id, ruleId), eq(alertRules.productId, productId))).get();
  if (!row) throw notFound("No such alert");
  return row;
}

export const listRules = (db: Db, productId: string): RuleRow[] => db.select().from(alertRules).where(eq(alertRules.productId, productId)).orderBy(asc(alertRules.name)).all();

export function deleteRule(db: Db, productId: string, ruleId: string) {
  getRule(db, productId, ruleId);
  db.delete(alertRules).where(eq(alertRules.id, ruleId)).run();
}

export function listChannels(db: Db, ruleId: string): StoredChannel[] {
  return db
    .select()
    .from(alertChannels)
    .where(eq(alertChannels.ruleId, ruleId))
    .orderBy(asc(alertChannels.position))
    .all()
    .map((c) => ({ id: c.id, productId: c.productId, type: c.type, config: JSON.parse(c.config), secretSealed: c.secretSealed }));
}

export const openEpisode = (db: Db, ruleId: string): EpisodeRow | undefined =>
  db.select().from(alertEpisodes).where(and(eq(alertEpisodes.ruleId, ruleId), isNull(alertEpisodes.resolvedAt))).get();

export const listEpisodes = (db: Db, productId: string, ruleId: string, limit = 100): EpisodeRow[] =>
  db.select().from(alertEpisodes).where(and(eq(alertEpisodes.ruleId, ruleId), eq(alertEpisodes.productId, productId))).orderBy(desc(alertEpisodes.startedAt)).limit(limit).all();

/** Seed 003's "acknowledged": someone has seen it; it still resolves on its own. */
export function acknowledgeEpisode(db: Db, productId: string, ruleId: string, episodeId: string, userId: string | null, now: number): EpisodeRow {
  const ep = db.select().from(alertEpisodes).where(and(eq(alertEpisodes.id, episodeId), eq(alertEpisodes.ruleId, ruleId), eq(alertEpisodes.productId, productId))).get();
  if (!ep) throw notFound("No such episode");
  if (ep.status !== "active") return ep;
  db.update(alertEpisodes).set({ status: "acknowledged", acknowledgedAt: now, acknowledgedBy: userId }).where(eq(alertEpisodes.id, ep.id)).run();
  return { ...ep, status: "acknowledged", acknowledgedAt: now, acknowledgedBy: userId };
}

export const isSilenced = (rule: Pick<RuleRow, "mutedAt" | "snoozedUntil">, at: number) => rule.mutedAt !== null || (rule.snoozedUntil !== null && at < rule.snoozedUntil);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function presentEpisode(e: EpisodeRow) {
  return { id: e.id, status: e.status, startedAt: iso(e.startedAt), resolvedAt: iso(e.resolvedAt), startValue: e.startValue, threshold: e.threshold, lastValue: e.lastValue, acknowledgedAt: iso(e.acknowledgedAt) };
}

/** The API's view of a rule (a webhook's secret only as `secret`, in the answer that created it). */
export function presentRule(db: Db, rule: RuleRow, secret: string, baseUrl: string, shownSecrets = new Map<number, string>()) {
  const open = openEpisode(db, rule.id);
  return {
    id: rule.id,
    product: rule.productId,
    name: rule.name,
    query: JSON.parse(rule.query),
    window: rule.window,
    condition: JSON.parse(rule.condition),
    channels: listChannels(db, rule.id).map((c, i) => ({ ...channelKind(c.type)!.present(c, secret), ...(shownSecrets.has(i) ? { secret: shownSecrets.get(i) } : {}) })),
    cooldown: rule.cooldown,
    muted: rule.mutedAt !== null,
    snoozedUntil: iso(rule.snoozedUntil),
    state: open ? "firing" : "ok",
    episode: open ? presentEpisode(open) : null,
    evaluatedThrough: iso(rule.evaluatedThrough),
    lastError: rule.lastError,
    createdAt: iso(rule.createdAt),
    updatedAt: iso(rule.updatedAt),
    url: baseUrl + ruleUrl(rule.productId, rule.id),
  };
}

/** A stored rule in the shape the input takes, so PATCH can merge a partial body over it. */
export function ruleAsInput(db: Db, rule: RuleRow, secret: string) {
  return {
    name: rule.name,
    query: JSON.parse(rule.query),
    window: rule.window,
    condition: JSON.parse(rule.condition),
    cooldown: rule.cooldown,
    muted: rule.mutedAt !== null,
    snoozedUntil: iso(rule.snoozedUntil),
    channels: listChannels(db, rule.id).map((c) => channelKind(c.type)!.present(c, secret)),
  };
}

export function setMuted(db: Db, rule: RuleRow, muted: boolean, now: number) {
  db.update(alertRules).set({ mutedAt: muted ? (rule.mutedAt ?? now) : null, updatedAt: now }).where(eq(alertRules.id, rule.id)).run();
}

/** Snoozed until `until` (null: not snoozed). Evaluation goes on; notifications are held back meanwhile. */
export function setSnooze(db: Db, rule: RuleRow, until: number | null, now: number) {
  db.update(alertRules).set({ snoozedUntil: until, updatedAt: now }).where(eq(alertRules.id, rule.id)).run();
}
