/** @jsxImportSource hono/jsx */
import { bucketLabel, type TimeBucket } from "../../../src/funnels/time-buckets";
import { formatNumber } from "../../widgets/format";

/**
 * A time-to-convert distribution as columns, one per bucket from the first to the last that has
 * anyone in it (gaps between stay, so the shape reads true), widened to a few neighbours. SVG sized by attributes (strict
 * CSP: no inline style); every count is also text in the column's label and in a table for
 * screen readers.
 */
const MIN_COLUMNS = 5;

export function TimeHistogram(props: { buckets: TimeBucket[]; caption: string; testId?: string }) {
  const first = props.buckets.findIndex((b) => b.visitors > 0);
  if (first < 0) return null;
  let last = props.buckets.length - 1;
  while (props.buckets[last]!.visitors === 0) last--;
  // At least MIN_COLUMNS buckets around the ones with anyone in them, so one full bucket reads as
  // a column among its neighbours rather than a block.
  let a = first;
  let b = last;
  while (b - a + 1 < MIN_COLUMNS && (a > 0 || b < props.buckets.length - 1)) {
    if (a > 0) a--;
    if (b - a + 1 < MIN_COLUMNS && b < props.buckets.length - 1) b++;
  }
  const shown = props.buckets.slice(a, b + 1);
  const max = Math.max(...shown.map((b) => b.visitors));
  const w = 100 / shown.length;
  return (
    <figure class={`time-histogram cols-${shown.length}`} data-testid={props.testId ?? "time-histogram"}>
      <figcaption class="muted small">{props.caption}</figcaption>
      <svg class="time-histogram-bars" viewBox="0 0 100 40" preserveAspectRatio="none" aria-hidden="true">
        {shown.map((b, i) => {
          const h = max ? Math.max(b.visitors ? 1.5 : 0, (b.visitors / max) * 38) : 0;
          return <rect class="time-histogram-bar" x={(i * w + w * 0.12).toFixed(2)} y={(40 - h).toFixed(2)} width={(w * 0.76).toFixed(2)} height={h.toFixed(2)} rx="0.8" />;
        })}
      </svg>
      <ol class="time-histogram-labels">
        {shown.map((b) => (
          <li data-bucket={b.from_seconds}>
            <span class="num" data-testid="time-bucket-count">
              {formatNumber(b.visitors)}
            </span>
            <span class="muted">{bucketLabel(b)}</span>
          </li>
        ))}
      </ol>
    </figure>
  );
}
