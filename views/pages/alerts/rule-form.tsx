/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import type { RuleForm } from "../../../src/alerts/form";
import { AGGREGATIONS } from "../../../src/query/types";
import { CONDITION_KINDS } from "../../../src/alerts/conditions";
import { productUrl } from "../../../src/products/urls";

/**
 * The rule form (new and edit). The condition's parameters sit in one fieldset per kind; CSS
 * (`:has()`) shows the chosen kind's, so it works without script. Any change asks the server for
 * the backtest preview (htmx, #backtest): the same evaluator over the last 30 days.
 */
type Props = { product: { id: string; name: string }; values: RuleForm; errors?: Record<string, string>; ruleId?: string; preview?: Child; csrf?: string };

export function RuleFormPage(props: Props & { header?: Child }) {
  return (
    <Layout title={props.ruleId ? `Edit alert · ${props.values.name}` : "New alert"} header={props.header}>
      <div class="alerts-page">
        <header class="page-title">
          <div>
            <p class="eyebrow">
              <a href={productUrl(props.product.id)}>{props.product.name}</a> <span aria-hidden="true">/</span> <a href={productUrl(props.product.id, "alerts")}>Alerts</a>
            </p>
            <h1>{props.ruleId ? "Edit alert" : "New alert"}</h1>
          </div>
        </header>
        <RuleFormCard {...props} />
      </div>
    </Layout>
  );
}

function Field(props: { name: string; label: string; values: RuleForm; errors?: Record<string, string>; hint?: string; type?: string; placeholder?: string }) {
  const err = props.errors?.[props.name];
  const id = `f-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        class="input"
        name={props.name}
        type={props.type ?? "text"}
        value={props.values[props.name as keyof RuleForm]}
        placeholder={props.placeholder}
        aria-invalid={err ? "true" : undefined}
        aria-describedby={err ? `${id}-error` : props.hint ? `${id}-hint` : undefined}
      />
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {err ? (
        <p class="field-error" id={`${id}-error`} role="alert">
          {err}
        </p>
      ) : null}
    </div>
  );
}

function Select(props: { name: string; label: string; values: RuleForm; options: [string, string][]; errors?: Record<string, string> }) {
  const id = `f-${props.name}`;
  const err = props.errors?.[props.name];
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} class="input" name={props.name} aria-invalid={err ? "true" : undefined}>
        {props.options.map(([value, label]) => (
          <option value={value} selected={props.values[props.name as keyof RuleForm] === value}>
            {label}
          </option>
        ))}
      </select>
      {err ? <p class="field-error" role="alert">{err}</p> : null}
    </div>
  );
}

export function RuleFormCard(props: Props) {
  const { values, errors } = props;
  const base = productUrl(props.product.id, "alerts");
  const action = props.ruleId ? `${base}/${props.ruleId}` : base;
  const f = { values, errors };
  return (
    <form class="card alert-form" method="post" action={action} hx-post={`${base}/preview`} hx-trigger="change delay:400ms, load" hx-target="#backtest" hx-swap="innerHTML" data-testid="alert-form">
      <Field name="name" label="Name" placeholder="Signups per hour above 50" {...f} />
      <fieldset class="alert-fieldset">
        <legend>What to watch</legend>
        <div class="alert-grid">
          <Field name="metric" label="Metric" placeholder="signups" {...f} />
          <Select name="aggregation" label="Aggregation" options={AGGREGATIONS.map((a) => [a, a])} {...f} />
          <Field name="window" label="Window" hint='Each minute, the last "1h", "15m", "1d"…' {...f} />
        </div>
        <div class="field">
          <label for="f-filters">Filters</label>
          <textarea id="f-filters" class="input" name="filters" rows={2} placeholder={"country=US\nplan!=free"} aria-invalid={errors?.filters ? "true" : undefined}>
            {values.filters}
          </textarea>
          <p class="hint">One per line: key=value (repeat a key for “one of”) or key!=value.</p>
          {errors?.filters ? <p class="field-error" role="alert">{errors.filters}</p> : null}
        </div>
      </fieldset>
      <fieldset class="alert-fieldset">
        <legend>When</legend>
        <Select name="kind" label="Condition" options={CONDITION_KINDS.map((k) => [k.tag, k.label])} {...f} />
        <div class="alert-params params-threshold">
          <Select name="op" label="The value is" options={[[">", "above"], [">=", "at or above"], ["<", "below"], ["<=", "at or below"]]} {...f} />
          <Field name="value" label="Threshold" type="number" {...f} />
        </div>
        <div class="alert-params params-zscore params-seasonal">
          <Field name="threshold" label="Standard deviations" type="number" {...f} />
          <Select name="direction" label="Direction" options={[["both", "either way"], ["above", "above only"], ["below", "below only"]]} {...f} />
        </div>
        <div class="alert-params params-zscore params-rolling_mean">
          <Field name="lookback" label="Baseline (lookback)" hint='"24h", "7d"' {...f} />
        </div>
        <div class="alert-params params-rolling_mean">
          <Field name="factor" label="Factor × the mean" type="number" hint="Above 1 for spikes, below 1 for drops" {...f} />
        </div>
        <div class="alert-params params-seasonal">
          <Field name="weeks" label="Weeks of the same hour to compare" type="number" {...f} />
        </div>
        <div class="alert-params params-low_stock">
          <Field name="below" label="Stock below" type="number" {...f} />
        </div>
        <div class="alert-params params-predicted_stockout params-reorder_point">
          <Field name="sales_metric" label="Sales metric (units sold)" placeholder="units_sold" hint="Read with the same filters; velocity = its last 7 days ÷ 7" {...f} />
        </div>
        <div class="alert-params params-predicted_stockout">
          <Field name="days" label="Fewer days of stock than" type="number" {...f} />
        </div>
        <div class="alert-params params-reorder_point">
          <Field name="lead_time" label="Lead time (days)" type="number" {...f} />
          <Field name="safety_stock" label="Safety stock" type="number" {...f} />
        </div>
      </fieldset>
      <fieldset class="alert-fieldset">
        <legend>Notify</legend>
        <div class="alert-grid">
          <Field name="email_to" label="Email" placeholder="ops@example.com, you@example.com" {...f} />
          <Select name="email_digest" label="Email as" options={[["off", "one mail each"], ["hourly", "hourly digest"], ["daily", "daily digest"]]} {...f} />
        </div>
        <Field name="slack_url" label="Slack incoming webhook" type="url" placeholder="https://hooks.slack.com/services/…" {...f} />
        <Field name="webhook_url" label="Webhook (signed, Standard Webhooks)" type="url" placeholder="https://example.com/hooks/litekpi" {...f} />
        <div class="field checkbox-field">
          <label>
            <input type="checkbox" name="in_app" checked={!!values.in_app} /> In the app (the bell, for every member)
          </label>
          {errors?.in_app ? <p class="field-error" role="alert">{errors.in_app}</p> : null}
        </div>
        {errors?.channels ? <p class="field-error" role="alert">{errors.channels}</p> : null}
        <Field name="cooldown" label="Cooldown (optional)" hint="No new episode within this long of the last one's start" placeholder="1h" {...f} />
      </fieldset>
      <section class="alert-preview" aria-live="polite">
        <h2 class="h3">Backtest</h2>
        <div id="backtest">{props.preview ?? <p class="muted">Fill in a metric to see how often this would have fired.</p>}</div>
      </section>
      <div class="row">
        <button type="submit" class="btn btn-primary" data-testid="save-alert">
          {props.ruleId ? "Save" : "Create alert"}
        </button>
        <a class="btn" href={props.ruleId ? `${base}/${props.ruleId}` : base}>
          Cancel
        </a>
      </div>
    </form>
  );
}
