/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import type { Goal } from "../../../src/goals/goals";
import type { SavedFunnel } from "../../../src/funnels/saved";
import type { FormErrors } from "../../../src/http/forms";
import { productUrl } from "../../../src/products/urls";
import { TextField } from "../../components/form";

/**
 * "Goals & funnels" of a product: the goals (what counts as a conversion) with a form to add
 * one, the saved funnels, and the form that builds a funnel from up to 8 steps. Plain forms that
 * work without script; each error sits beside its input.
 */
export type GoalFormValues = { name: string; kind: string; value: string; currency: string };
export type StepValues = { kind: string; value: string };
export type FunnelFormValues = { name: string; window: string; by: string; steps: StepValues[] };
export const MAX_FORM_STEPS = 8;

export const emptyGoalForm = (): GoalFormValues => ({ name: "", kind: "page", value: "", currency: "" });
export const emptyFunnelForm = (): FunnelFormValues => ({
  name: "",
  window: "7d",
  by: "",
  steps: Array.from({ length: MAX_FORM_STEPS }, () => ({ kind: "event", value: "" })),
});

export const funnelsUrl = (productId: string) => `${productUrl(productId)}/funnels`;

export function FunnelsPage(props: {
  header?: Child;
  product: { id: string; name: string };
  goals: Goal[];
  funnels: SavedFunnel[];
  canEdit: boolean;
  goalForm?: { values: GoalFormValues; errors?: FormErrors };
  funnelForm?: { values: FunnelFormValues; errors?: FormErrors };
}) {
  const base = funnelsUrl(props.product.id);
  return (
    <Layout title={`Goals & funnels · ${props.product.name}`} header={props.header}>
      <div class="page funnels-page">
        <header class="page-title">
          <div>
            <p class="eyebrow">
              <a href={productUrl(props.product.id)}>{props.product.name}</a>
            </p>
            <h1>Goals &amp; funnels</h1>
            <p class="muted">A goal is a page or an event that counts as a conversion. A funnel is the path people take through up to 8 steps, and where they leave it.</p>
          </div>
        </header>

        <section class="settings-section" aria-labelledby="goals-title">
          <h2 id="goals-title">Goals</h2>
          {props.goals.length === 0 ? (
            <p class="muted" data-testid="goals-empty">
              No goals yet. Add a page such as <code>/thank-you*</code> or an event such as <code>signup</code>.
            </p>
          ) : (
            <div class="table-wrap">
              <table class="table" data-testid="goals-table">
                <thead>
                  <tr>
                    <th scope="col">Goal</th>
                    <th scope="col">Counts</th>
                    <th scope="col" class="actions-col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {props.goals.map((g) => (
                    <tr>
                      <td>{g.name}</td>
                      <td class="muted">{describeGoal(g)}</td>
                      <td class="actions-col">
                        {props.canEdit ? (
                          <form method="post" action={`${base}/goals/${g.id}/delete`} class="inline-form">
                            <button class="btn btn-small btn-danger-quiet" type="submit" aria-label={`Delete goal ${g.name}`}>
                              Delete
                            </button>
                          </form>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {props.canEdit ? <GoalForm action={`${base}/goals`} {...(props.goalForm ?? { values: emptyGoalForm() })} /> : null}
        </section>

        <section class="settings-section" aria-labelledby="funnels-title">
          <h2 id="funnels-title">Funnels</h2>
          {props.funnels.length === 0 ? (
            <p class="muted" data-testid="funnels-empty">
              No funnels yet.
            </p>
          ) : (
            <ul class="plain-list" data-testid="funnels-list">
              {props.funnels.map((f) => (
                <li>
                  <a href={`${base}/${f.id}`}>{f.name}</a> <span class="muted small">{f.definition.steps.length} steps</span>
                </li>
              ))}
            </ul>
          )}
          {props.canEdit ? <FunnelForm action={base} goals={props.goals} {...(props.funnelForm ?? { values: emptyFunnelForm() })} /> : null}
        </section>
      </div>
    </Layout>
  );
}

export function describeGoal(g: Goal): string {
  if (g.page) return `page views of ${g.page}`;
  const props = g.properties ? ` where ${Object.entries(g.properties).map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(" or ") : v}`).join(", ")}` : "";
  return `event ${g.event}${props}${g.currency ? ` (revenue in ${g.currency})` : ""}`;
}

function GoalForm(props: { action: string; values: GoalFormValues; errors?: FormErrors }) {
  const e = props.errors ?? {};
  return (
    <form method="post" action={props.action} class="form-card stack" data-testid="goal-form">
      <h3>Add a goal</h3>
      <TextField id="goal-name" name="name" label="Name" value={props.values.name} error={e.name ?? e.goal} required maxlength={120} placeholder="Signup" />
      <fieldset class="field plain-fieldset">
        <legend>Counts</legend>
        <div class="segmented" role="radiogroup">
          {(["page", "event"] as const).map((k) => (
            <label class="check">
              <input type="radio" name="kind" value={k} checked={props.values.kind === k} /> {k === "page" ? "Page views" : "An event"}
            </label>
          ))}
        </div>
      </fieldset>
      <TextField
        id="goal-value"
        name="value"
        label="Page or event"
        value={props.values.value}
        error={e.page ?? e.event}
        hint="A path such as /thank-you or /blog/* (* matches within a segment, ** across), or an event name"
        required
      />
      <TextField id="goal-currency" name="currency" label="Revenue currency (optional)" value={props.values.currency} error={e.currency} hint="For a revenue goal, e.g. USD" maxlength={3} />
      <div class="form-actions">
        <button class="btn btn-primary" type="submit">
          Add goal
        </button>
      </div>
    </form>
  );
}

/** A step's error, whichever of its fields it names (the count is of the steps that were filled). */
const stepError = (e: FormErrors, i: number) => e[`steps.${i}.goal`] ?? e[`steps.${i}.event`] ?? e[`steps.${i}.page`] ?? e[`steps.${i}`];

const BY_OPTIONS = [
  ["", "Automatic"],
  ["visitor", "Visitor"],
  ["user", "User"],
] as const;

const WINDOWS = [
  ["1h", "1 hour"],
  ["1d", "1 day"],
  ["7d", "7 days"],
  ["14d", "14 days"],
  ["30d", "30 days"],
] as const;

const SHOWN_STEPS = 4;

function StepRow(props: { step: StepValues; i: number; errors: FormErrors }) {
  const { step: s, i, errors: e } = props;
  return (
    <li class="inline-fields">
      <label class="visually-hidden" for={`step-kind-${i + 1}`}>
        Step {i + 1} kind
      </label>
      <select class="input input-narrow" id={`step-kind-${i + 1}`} name={`step_kind_${i + 1}`}>
        {(["event", "page", "goal"] as const).map((k) => (
          <option value={k} selected={s.kind === k}>
            {k === "event" ? "Event" : k === "page" ? "Page" : "Goal"}
          </option>
        ))}
      </select>
      <label class="visually-hidden" for={`step-value-${i + 1}`}>
        Step {i + 1}
      </label>
      <input
        class="input"
        id={`step-value-${i + 1}`}
        name={`step_value_${i + 1}`}
        value={s.value}
        list="funnel-goal-names"
        placeholder={i === 0 ? "e.g. signup, /pricing or a goal's name" : ""}
        aria-invalid={stepError(e, i) ? "true" : undefined}
      />
      {stepError(e, i) ? <span class="field-error">{stepError(e, i)}</span> : null}
    </li>
  );
}

function FunnelForm(props: { action: string; goals: Goal[]; values: FunnelFormValues; errors?: FormErrors }) {
  const e = props.errors ?? {};
  return (
    <form method="post" action={props.action} class="form-card stack" data-testid="funnel-form">
      <h3>New funnel</h3>
      <TextField id="funnel-name" name="name" label="Name" value={props.values.name} error={e.name} required maxlength={120} placeholder="Signup flow" />
      <fieldset class="field plain-fieldset">
        <legend>Steps, in order (empty rows are skipped)</legend>
        {e.steps ? <p class="field-error">{e.steps}</p> : null}
        <ol class="funnel-form-steps">
          {props.values.steps.slice(0, SHOWN_STEPS).map((s, i) => (
            <StepRow step={s} i={i} errors={e} />
          ))}
        </ol>
        <details class="funnel-more-steps" open={props.values.steps.slice(SHOWN_STEPS).some((s) => s.value) || undefined}>
          <summary>More steps</summary>
          <ol class="funnel-form-steps" start={SHOWN_STEPS + 1}>
            {props.values.steps.slice(SHOWN_STEPS).map((s, j) => (
              <StepRow step={s} i={j + SHOWN_STEPS} errors={e} />
            ))}
          </ol>
        </details>
        <datalist id="funnel-goal-names">
          {props.goals.map((g) => (
            <option value={g.name} />
          ))}
        </datalist>
      </fieldset>
      <div class="field">
        <label for="funnel-window">Within</label>
        <select class="input input-narrow" id="funnel-window" name="window">
          {WINDOWS.map(([v, label]) => (
            <option value={v} selected={props.values.window === v}>
              {label}
            </option>
          ))}
        </select>
        {e.window ? <p class="field-error">{e.window}</p> : null}
      </div>
      <div class="field">
        <label for="funnel-by">Count per</label>
        <select class="input input-narrow" id="funnel-by" name="by" aria-describedby="funnel-by-hint">
          {BY_OPTIONS.map(([v, label]) => (
            <option value={v} selected={props.values.by === v}>
              {label}
            </option>
          ))}
        </select>
        <p class="hint" id="funnel-by-hint">
          Automatic counts visitors when a step is a page or a goal, else users. Visitors come from web analytics; users are the <code>user_id</code> of product events.
        </p>
        {e.by ? <p class="field-error">{e.by}</p> : null}
      </div>
      <div class="form-actions">
        <button class="btn btn-primary" type="submit">
          Save funnel
        </button>
      </div>
    </form>
  );
}
