/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { FieldError, Notice, type FieldErrors } from "./parts";
import { formatDateTime } from "./format";
import { productUrl } from "../../../src/products/urls";

type Rule = { namespace: string; days: number };
type Usage = { month: string; points: number; events: number; total: number; limit: number | null; mode: "pause" | "keep" | null; percent: number | null };
type Erasure = { at: number; actorKind: string; actorId: string; rows: number };

export type DataSettingsProps = {
  product: { id: string; name: string; timezone: string };
  canEdit: boolean;
  rules: Rule[];
  usage: Usage;
  erasures: Erasure[];
  values?: Partial<Record<"days" | "namespace" | "limit" | "mode" | "person", string>>;
  errors?: FieldErrors;
  notice?: { section: "retention" | "usage" | "erase"; message: string; tone?: "ok" | "warn" };
};

const n = (x: number) => x.toLocaleString("en-US");

/**
 * The Data tab (#data): retention, this month's usage against the limit, and erasure of one
 * person's events. Owners edit; members see the settings. htmx swaps the whole tab after a form.
 */
export function DataSettings(props: DataSettingsProps) {
  const notice = (section: string) => (props.notice?.section === section ? <Notice message={props.notice.message} tone={props.notice.tone} /> : null);
  return (
    <section id="data" class="settings-stack">
      <div class="card settings-section" data-testid="retention">
        <h2>Retention</h2>
        <p class="muted">
          Raw points and events older than this are deleted every hour. Charts stay: they read rollups (per minute, hour and day), which are kept.
          A query that needs raw rows from before then (an edge that is not a whole minute) says so in its answer.
        </p>
        {notice("retention")}
        <RetentionRules rules={props.rules} />
        {props.canEdit ? <RetentionForm {...props} /> : null}
      </div>
      <div class="card settings-section" data-testid="usage">
        <h2>Usage this month</h2>
        {notice("usage")}
        <UsageLine usage={props.usage} />
        {props.canEdit ? <LimitForm {...props} /> : null}
      </div>
      {props.canEdit ? <EraseCard {...props} status={notice("erase")} /> : null}
    </section>
  );
}

function RetentionRules(props: { rules: Rule[] }) {
  const own = props.rules.find((r) => r.namespace === "");
  const namespaces = props.rules.filter((r) => r.namespace !== "");
  return (
    <ul class="plain-list" data-testid="retention-rules">
      <li>
        Raw points and events: <strong>{own ? `${n(own.days)} days` : "kept for ever"}</strong>
      </li>
      {namespaces.map((r) => (
        <li>
          Events in <code>{r.namespace}</code>: <strong>{n(r.days)} days</strong>
        </li>
      ))}
    </ul>
  );
}

function RetentionForm(props: DataSettingsProps) {
  const action = productUrl(props.product.id, "settings", "data", "retention");
  const errors = props.errors ?? {};
  const own = props.rules.find((r) => r.namespace === "");
  return (
    <form method="post" action={action} hx-post={action} hx-target="#data" hx-swap="outerHTML" novalidate>
      <div class="field">
        <label for="retention-days">Keep raw data (days)</label>
        <input id="retention-days" class="input" name="days" inputmode="numeric" value={props.values?.days ?? (own ? String(own.days) : "")} placeholder="empty = for ever" aria-invalid={errors.days ? "true" : undefined} aria-describedby={errors.days ? "retention-days-error" : undefined} />
        <FieldError id="retention-days" message={errors.days} />
      </div>
      <div class="field">
        <label for="retention-namespace">Event namespace (optional)</label>
        <input id="retention-namespace" class="input" name="namespace" value={props.values?.namespace ?? ""} placeholder="all data" aria-invalid={errors.namespace ? "true" : undefined} aria-describedby={errors.namespace ? "retention-namespace-error" : undefined} />
        <p class="hint">Empty: the product's own rule (points, and events of namespaces without a rule).</p>
        <FieldError id="retention-namespace" message={errors.namespace} />
      </div>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary">Save retention</button>
      </div>
    </form>
  );
}

function UsageLine(props: { usage: Usage }) {
  const u = props.usage;
  return (
    <div data-testid="usage-line">
      <p class="usage-figure">
        <strong>{n(u.total)}</strong>
        {u.limit !== null ? <> of {n(u.limit)} ({u.percent} %)</> : null}
        <span class="muted"> points and events in {u.month} (UTC)</span>
      </p>
      {u.limit !== null ? <meter class="usage-meter" min={0} max={u.limit} value={Math.min(u.total, u.limit)} low={u.limit * 0.8} high={u.limit * 0.9} optimum={0} /> : null}
      <p class="muted">
        {n(u.points)} points, {n(u.events)} events.{" "}
        {u.limit === null ? "No monthly limit." : u.mode === "pause" ? "At the limit, ingestion pauses (429 quota_exceeded) until the month ends." : "At the limit, ingestion goes on."}
      </p>
    </div>
  );
}

function LimitForm(props: DataSettingsProps) {
  const action = productUrl(props.product.id, "settings", "data", "limit");
  const errors = props.errors ?? {};
  const mode = props.values?.mode ?? props.usage.mode ?? "keep";
  return (
    <form method="post" action={action} hx-post={action} hx-target="#data" hx-swap="outerHTML" novalidate>
      <div class="field">
        <label for="usage-limit">Monthly limit (points + events)</label>
        <input id="usage-limit" class="input" name="limit" inputmode="numeric" value={props.values?.limit ?? (props.usage.limit === null ? "" : String(props.usage.limit))} placeholder="empty = no limit" aria-invalid={errors.limit ? "true" : undefined} aria-describedby={errors.limit ? "usage-limit-error" : undefined} />
        <p class="hint">The owners get a mail at 80 %, 90 % and 100 %, once each per month.</p>
        <FieldError id="usage-limit" message={errors.limit} />
      </div>
      <div class="field">
        <label for="usage-mode">At the limit</label>
        <select id="usage-mode" name="mode" class="input" aria-invalid={errors.mode ? "true" : undefined}>
          <option value="keep" selected={mode === "keep"}>keep ingesting</option>
          <option value="pause" selected={mode === "pause"}>pause ingestion (429 quota_exceeded)</option>
        </select>
        <FieldError id="usage-mode" message={errors.mode} />
      </div>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary">Save limit</button>
      </div>
    </form>
  );
}

function EraseCard(props: DataSettingsProps & { status: Child }) {
  const erase = productUrl(props.product.id, "settings", "data", "erase");
  const exportUrl = productUrl(props.product.id, "settings", "data", "export");
  const errors = props.errors ?? {};
  return (
    <div class="card settings-section danger-zone" data-testid="erase">
      <h2>Erase a person</h2>
      <p>
        Deletes every event whose user id, visitor id or email (<code>context.email</code> or <code>properties.email</code>) is the id you enter.
        Download their events first if they asked for a copy. This cannot be undone.
      </p>
      {props.status}
      <form method="get" action={exportUrl} class="inline-form" novalidate>
        <label for="export-person" class="visually-hidden">Person to export</label>
        <input id="export-person" class="input" name="person" value={props.values?.person ?? ""} placeholder="user id, email or visitor id" autocomplete="off" />
        <button type="submit" class="btn">Download their events (JSON)</button>
      </form>
      <form method="post" action={erase} hx-post={erase} hx-target="#data" hx-swap="outerHTML" novalidate>
        <div class="field">
          <label for="erase-person">User id, email or visitor id</label>
          <input id="erase-person" class="input" name="person" autocomplete="off" aria-invalid={errors.person ? "true" : undefined} aria-describedby={errors.person ? "erase-person-error" : undefined} />
          <FieldError id="erase-person" message={errors.person} />
        </div>
        <button type="submit" class="btn btn-danger">Erase their events</button>
      </form>
      {props.erasures.length ? (
        <ul class="plain-list muted" data-testid="erasure-log">
          {props.erasures.map((e) => (
            <li>
              {formatDateTime(e.at, props.product.timezone)}: {n(e.rows)} events erased by {e.actorKind === "key" ? "an API key" : "an owner"} ({e.actorId})
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
