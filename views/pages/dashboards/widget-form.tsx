/** @jsxImportSource hono/jsx */
import { AGGREGATIONS, GRANULARITIES } from "../../../src/query/types";
import type { FilterRow, FormErrors, WidgetFormValues } from "../../../src/dashboards/widget-form";
import { FieldError } from "../products/parts";
import { KINDS, WIDGET_KINDS } from "../../../src/dashboards/kinds";

/**
 * Add / edit a widget. Works as a plain form; with htmx it posts in place (errors come back as
 * this form with each message beside its input), the metric field fetches the metric's tag keys
 * and each filter's key fetches its values. Fields that do not apply to the chosen visualization
 * or range mode are hidden by CSS (`:has()`), so no script decides what is visible.
 */
export type WidgetFormProps = {
  action: string;
  editing: boolean;
  values: WidgetFormValues;
  errors?: FormErrors;
  metrics: string[];
  tagKeys: string[];
  /** The product's saved funnels, for the funnel kind's picker. */
  funnels: { id: string; name: string }[];
  urls: { funnels: string; tagKeys: string; tagValues: string; filterRow: string; cancel: string };
};

// The picker lists the registry's kinds in its order (src/dashboards/kinds/index.ts).
const KIND_OPTIONS = WIDGET_KINDS.map((kind) => ({ kind, label: KINDS[kind].label, hint: KINDS[kind].hint }));
const UNITS = [
  ["h", "hours"],
  ["d", "days"],
  ["w", "weeks"],
  ["mo", "months"],
] as const;

export function WidgetForm(props: WidgetFormProps) {
  const { values: v } = props;
  const errors = props.errors ?? {};
  const invalid = (field: string) => (errors[field] ? { "aria-invalid": "true", "aria-describedby": `wf-${field}-error` } : {});
  return (
    <form class="card widget-form" method="post" action={props.action} hx-post={props.action} hx-target="#widget-editor" hx-swap="innerHTML" data-testid="widget-form" novalidate>
      <div class="widget-form-head">
        <h2>{props.editing ? "Edit widget" : "Add widget"}</h2>
        <button type="button" class="icon-btn" hx-get={props.urls.cancel} hx-target="#widget-editor" hx-swap="innerHTML" aria-label="Close the form" data-cancel>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      {errors.form ? <p class="form-error" role="alert">{errors.form}</p> : null}

      <fieldset class="kind-picker">
        <legend>Visualization</legend>
        {KIND_OPTIONS.map((k) => (
          <label class="kind-option">
            <input type="radio" name="kind" value={k.kind} checked={v.kind === k.kind} />
            <span class="kind-name">{k.label}</span>
            <span class="kind-hint">{k.hint}</span>
          </label>
        ))}
        <FieldError id="wf-kind" message={errors.kind} />
      </fieldset>

      <div class="field only-funnel">
        <label for="wf-funnel">Saved funnel</label>
        {props.funnels.length ? (
          <select id="wf-funnel" class="input" name="funnel" data-testid="funnel-picker" {...invalid("funnel")}>
            <option value="" selected={!v.funnel}>
              Pick a funnel…
            </option>
            {props.funnels.map((f) => (
              <option value={f.id} selected={v.funnel === f.id || v.funnel === f.name}>
                {f.name}
              </option>
            ))}
          </select>
        ) : (
          <p class="muted funnel-picker-empty">
            No saved funnels yet. <a href={props.urls.funnels}>Build one on Goals &amp; funnels</a>, then come back.
          </p>
        )}
        <FieldError id="wf-funnel" message={errors.funnel} />
      </div>

      <div class="form-grid">
        <div class="field not-funnel">
          <label for="wf-metric">Metric</label>
          <input
            id="wf-metric"
            class="input"
            name="metric"
            value={v.metric}
            list="metric-options"
            autocomplete="off"
            required
            placeholder="signups"
            hx-get={props.urls.tagKeys}
            hx-trigger="change"
            hx-target="#tag-key-options"
            hx-swap="innerHTML"
            {...invalid("metric")}
          />
          <datalist id="metric-options">
            {props.metrics.map((m) => (
              <option value={m}></option>
            ))}
          </datalist>
          <FieldError id="wf-metric" message={errors.metric} />
        </div>
        <div class="field">
          <label for="wf-title">
            Title <span class="muted">(optional)</span>
          </label>
          <input id="wf-title" class="input" name="title" value={v.title} maxlength={100} placeholder="Defaults to metric · aggregation" {...invalid("title")} />
          <FieldError id="wf-title" message={errors.title} />
        </div>
        <div class="field not-funnel">
          <label for="wf-aggregation">Aggregation</label>
          <select id="wf-aggregation" class="input" name="aggregation" {...invalid("aggregation")}>
            {AGGREGATIONS.map((a) => (
              <option value={a} selected={v.aggregation === a}>
                {a}
              </option>
            ))}
          </select>
          <FieldError id="wf-aggregation" message={errors.aggregation} />
        </div>
        <div class="field only-series">
          <label for="wf-granularity">Granularity</label>
          <select id="wf-granularity" class="input" name="granularity" {...invalid("granularity")}>
            {GRANULARITIES.map((g) => (
              <option value={g} selected={v.granularity === g}>
                {g}
              </option>
            ))}
          </select>
          <FieldError id="wf-granularity" message={errors.granularity} />
        </div>
      </div>

      <fieldset class="range-field">
        <legend>Time range</legend>
        <div class="segmented">
          <label>
            <input type="radio" name="range_mode" value="last" checked={v.rangeMode === "last"} /> Last
          </label>
          <label>
            <input type="radio" name="range_mode" value="custom" checked={v.rangeMode === "custom"} /> Custom dates
          </label>
        </div>
        <div class="range-last inline-fields">
          <input class="input input-narrow" type="number" name="range_n" min={1} max={1000} value={v.rangeN} aria-label="How many" {...invalid("range")} />
          <select class="input input-narrow" name="range_unit" aria-label="Unit">
            {UNITS.map(([u, label]) => (
              <option value={u} selected={v.rangeUnit === u}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div class="range-custom inline-fields">
          <label>
            From <input class="input" type="date" name="range_from" value={v.rangeFrom} {...invalid("range")} />
          </label>
          <label>
            To <input class="input" type="date" name="range_to" value={v.rangeTo} />
          </label>
        </div>
        <p class="muted hint">A range picked for the whole dashboard overrides this one.</p>
        <FieldError id="wf-range" message={errors.range} />
      </fieldset>

      <fieldset class="filters-field not-funnel">
        <legend>Filters</legend>
        <div id="filter-rows" class="filter-rows">
          {(v.filters.length ? v.filters : [{ key: "", op: "is", value: "" } as FilterRow]).map((row, i) => (
            <FilterRowFields row={row} index={i} urls={props.urls} />
          ))}
        </div>
        <button type="button" class="btn btn-small btn-ghost" hx-get={props.urls.filterRow} hx-target="#filter-rows" hx-swap="beforeend">
          + Add filter
        </button>
        <FieldError id="wf-filters" message={errors.filters} />
      </fieldset>

      <div class="form-grid">
        <div class="field only-series">
          <label for="wf-group-by">
            Split by tag <span class="muted">(one line or row group per value)</span>
          </label>
          <input id="wf-group-by" class="input" name="group_by" value={v.groupBy} list="tag-key-options" autocomplete="off" placeholder="e.g. plan" {...invalid("group_by")} />
          <FieldError id="wf-group-by" message={errors.group_by} />
        </div>
        <fieldset class="field only-line">
          <legend>Width</legend>
          <div class="segmented">
            <label>
              <input type="radio" name="size" value="half" checked={v.size !== "full"} /> Half
            </label>
            <label>
              <input type="radio" name="size" value="full" checked={v.size === "full"} /> Full row
            </label>
          </div>
        </fieldset>
        <div class="field only-number">
          <label class="check">
            <input type="checkbox" name="compare" value="on" checked={v.compare} /> Show the change against the previous period
          </label>
        </div>
      </div>
      <datalist id="tag-key-options">
        <TagOptions values={props.tagKeys} />
      </datalist>

      <div class="form-actions">
        <button type="submit" class="btn btn-primary">
          {props.editing ? "Save widget" : "Add widget"}
        </button>
        <button type="button" class="btn btn-ghost" hx-get={props.urls.cancel} hx-target="#widget-editor" hx-swap="innerHTML">
          Cancel
        </button>
      </div>
    </form>
  );
}

/** One filter: tag key, = or ≠, value (its suggestions fetched when the key changes). */
export function FilterRowFields(props: { row: FilterRow; index: number | string; urls: Pick<WidgetFormProps["urls"], "tagValues"> }) {
  const id = `filter-${props.index}`;
  return (
    <div class="filter-row">
      <input
        class="input"
        name="filter_key"
        value={props.row.key}
        list="tag-key-options"
        autocomplete="off"
        placeholder="tag, e.g. country"
        aria-label="Filter tag"
        hx-get={props.urls.tagValues}
        hx-trigger="change"
        hx-include="[name='metric']"
        hx-target={`#${id}-values`}
        hx-swap="innerHTML"
      />
      <select class="input input-narrow" name="filter_op" aria-label="Comparison">
        <option value="is" selected={props.row.op === "is"}>
          =
        </option>
        <option value="not" selected={props.row.op === "not"}>
          ≠
        </option>
      </select>
      <input class="input" name="filter_value" value={props.row.value} list={`${id}-values`} autocomplete="off" placeholder="value, e.g. US" aria-label="Filter value" />
      <datalist id={`${id}-values`}></datalist>
      <button type="button" class="icon-btn" data-remove-closest=".filter-row" aria-label="Remove this filter">
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}

/** The <option>s of a datalist (the tag-key and tag-value suggestion partials answer with these). */
export function TagOptions(props: { values: string[] }) {
  return (
    <>
      {props.values.map((value) => (
        <option value={value}></option>
      ))}
    </>
  );
}
