/** @jsxImportSource hono/jsx */
import type { FunnelAnswer, FunnelStepAnswer } from "../../../src/funnels/funnel";
import { formatNumber } from "../../widgets/format";
import { TimeHistogram } from "./time-histogram";

/**
 * A funnel as horizontal bars: each step's visitors as a share of step 1, with its conversion,
 * the drop-off since the step before and the median time to get there. The bars are SVG rects
 * sized by attributes (no inline style under the strict CSP); every figure is also text.
 */
export function FunnelChart(props: { answer: Pick<FunnelAnswer, "steps" | "by">; caption?: string; distributions?: boolean }) {
  const steps = props.answer.steps;
  const first = steps[0]?.visitors ?? 0;
  const who = props.answer.by === "user" ? "users" : "visitors";
  return (
    <figure class="funnel" data-testid="funnel-chart">
      {props.caption ? <figcaption class="muted small">{props.caption}</figcaption> : null}
      <ol class="funnel-steps">
        {steps.map((s, i) => (
          <FunnelStep step={s} index={i} first={first} who={who} distribution={props.distributions === true} />
        ))}
      </ol>
    </figure>
  );
}

function FunnelStep(props: { step: FunnelStepAnswer; index: number; first: number; who: string; distribution: boolean }) {
  const { step, index } = props;
  const share = props.first ? (step.visitors / props.first) * 100 : 0;
  return (
    <li class="funnel-step" data-step={index + 1}>
      <div class="funnel-step-head">
        <span class="funnel-step-name">
          <span class="funnel-step-num" aria-hidden="true">
            {index + 1}
          </span>
          {step.name}
        </span>
        <span class="num" data-testid="funnel-visitors">
          {formatNumber(step.visitors)} {props.who}
        </span>
      </div>
      <svg class="funnel-bar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label={`${step.conversion_rate}% of step 1`}>
        <rect class="funnel-bar-track" x="0" y="0" width="100" height="8" rx="1.5" />
        <rect class="funnel-bar-fill" x="0" y="0" width={share.toFixed(2)} height="8" rx="1.5" />
      </svg>
      <p class="funnel-step-foot muted small">
        <span data-testid="funnel-rate">{step.conversion_rate}%</span> of step 1
        {index > 0 ? (
          <>
            {" · "}
            <span data-testid="funnel-drop">{formatNumber(step.drop_off)}</span> dropped off
            {step.median_seconds_to_convert !== null ? ` · median ${formatDuration(step.median_seconds_to_convert)} from step 1` : ""}
          </>
        ) : null}
      </p>
      {props.distribution && index > 0 ? <TimeHistogram buckets={step.time_to_convert} caption={`Time from step 1 to step ${index + 1}, ${props.who} per bucket`} /> : null}
    </li>
  );
}

/** 75 → "1m 15s", 7200 → "2h", 93784 → "1d 2h". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d) return h ? `${d}d ${h}h` : `${d}d`;
  if (h) return m ? `${h}h ${m}m` : `${h}h`;
  return s ? `${m}m ${s}s` : `${m}m`;
}
