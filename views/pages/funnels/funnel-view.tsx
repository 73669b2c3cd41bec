/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import type { FunnelAnswer } from "../../../src/funnels/funnel";
import type { SavedFunnel } from "../../../src/funnels/saved";
import { FunnelChart } from "./funnel-chart";
import { funnelsUrl } from "./funnels-page";

/** One saved funnel over a range (7, 30 or 90 days), with the previous period beside it. */
export const FUNNEL_RANGES = [
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
  ["90d", "Last 90 days"],
] as const;

export function FunnelView(props: { header?: Child; product: { id: string; name: string }; funnel: SavedFunnel; answer: FunnelAnswer; range: string; canEdit: boolean }) {
  const base = funnelsUrl(props.product.id);
  const here = `${base}/${props.funnel.id}`;
  const { answer } = props;
  const last = answer.steps.at(-1)!;
  const prevLast = answer.comparison?.steps.at(-1);
  return (
    <Layout title={`${props.funnel.name} · Funnels · ${props.product.name}`} header={props.header}>
      <div class="page funnel-page">
        <header class="page-title">
          <div>
            <p class="eyebrow">
              <a href={base}>Goals &amp; funnels</a>
            </p>
            <h1>{props.funnel.name}</h1>
            <p class="muted">
              {answer.steps.length} steps within {answer.window}, counted per {answer.by === "user" ? "user" : "visitor"} · {answer.date_range[0].slice(0, 10)} to {answer.date_range[1].slice(0, 10)}
            </p>
          </div>
        </header>
        <nav class="segmented" aria-label="Range">
          {FUNNEL_RANGES.map(([r, label]) => (
            <a href={`${here}?range=${r}`} aria-current={props.range === r ? "page" : undefined} class="btn btn-small">
              {label}
            </a>
          ))}
        </nav>
        <p class="lead" data-testid="funnel-overall">
          <strong>{last.conversion_rate}%</strong> converted
          {prevLast ? <span class="muted"> (previous period: {prevLast.conversion_rate}%)</span> : null}
        </p>
        <FunnelChart answer={answer} distributions />
        {props.canEdit ? (
          <form method="post" action={`${here}/delete`} class="inline-form">
            <button class="btn btn-danger-quiet btn-small" type="submit">
              Delete funnel
            </button>
          </form>
        ) : null}
      </div>
    </Layout>
  );
}
