/** @jsxImportSource hono/jsx */
import type { TimeToConvert } from "../../../src/goals/time-to-convert";
import { formatDuration } from "../../../src/web/dashboard/format";
import { TimeHistogram } from "../funnels/time-histogram";

/** On the Goals card's details page: per goal, how long visitors took from visit start to it. */
export function GoalTimes(props: { times: { goal: string; time: TimeToConvert }[] }) {
  const shown = props.times.filter((t) => t.time.visitors > 0);
  return (
    <section class="card web-card goal-times" data-testid="goal-times" aria-labelledby="goal-times-title">
      <header class="web-card-head">
        <h2 id="goal-times-title">Time to convert</h2>
      </header>
      {shown.length === 0 ? (
        <p class="web-card-empty muted">No conversions in this period to time.</p>
      ) : (
        shown.map((t) => (
          <div class="goal-time" data-goal={t.goal}>
            <p class="goal-time-head">
              <strong>{t.goal}</strong>{" "}
              <span class="muted">
                median {t.time.median_seconds === null ? "—" : formatDuration(t.time.median_seconds)} from visit start · {t.time.visitors} visitor{t.time.visitors === 1 ? "" : "s"}
              </span>
            </p>
            <TimeHistogram buckets={t.time.distribution} caption={`Visitors by time from visit start to ${t.goal}`} testId="goal-time-histogram" />
          </div>
        ))
      )}
    </section>
  );
}
