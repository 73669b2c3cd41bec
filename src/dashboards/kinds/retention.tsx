/** @jsxImportSource hono/jsx */
import { box, text, TOKENS, type Node } from "../../../views/snapshots/tree";
import { CARD_CHROME_H } from "../../../views/snapshots/sizes";
import { defineKind } from "./kind";

/**
 * Retention: the cohort triangle (`insight:retention`): one row per cohort (its first period and
 * size), one column per period after it with the share of the cohort that came back. The
 * widget's granularity is the period; tag filters `start_event` / `return_event` name the events.
 */
export type RetentionData = { period: string; cohorts: { cohort: string; users: number; rates: (number | null)[] }[]; periods: number };

const ROW_H = 26;
const MAX_ROWS = 12;
const pct = (v: number | null) => (v === null ? "" : `${Math.round(v * 100)}%`);

export const retentionKind = defineKind({
  kind: "retention",
  label: "Retention",
  hint: "Cohorts and who came back",
  metric: "insight:retention",
  series: true,
  drawsEmpty: false,
  headline: false,
  span: () => "span-12",
  data: ({ result }) => {
    const cohorts = result.series.map((s) => ({ cohort: s.tags.cohort ?? "", users: s.value ?? 0, rates: s.points.map((p) => p.v) }));
    return { kind: "retention" as const, retention: { period: result.granularity ?? "week", cohorts, periods: Math.max(0, ...cohorts.map((c) => c.rates.length)) }, empty: cohorts.length === 0 };
  },
  card: (data) => {
    const r = data.retention;
    return (
      <div class="table-scroll">
        <table class="data-table retention-table" data-testid="retention-table">
          <thead>
            <tr>
              <th scope="col">Cohort ({r.period})</th>
              <th scope="col" class="num">Users</th>
              {Array.from({ length: r.periods }, (_, k) => (
                <th scope="col" class="num">{k === 0 ? r.period : `+${k}`}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {r.cohorts.map((c) => (
              <tr>
                <th scope="row">{c.cohort}</th>
                <td class="num">{c.users}</td>
                {Array.from({ length: r.periods }, (_, k) => (
                  <td class="num" data-rate={c.rates[k] ?? ""}>{pct(c.rates[k] ?? null)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  },
  snapshot: {
    half: false,
    height: (data) => CARD_CHROME_H + ROW_H * (1 + Math.min(MAX_ROWS, data?.retention.cohorts.length ?? 1)),
    body: (data, ctx) => retentionBody(data.retention, ctx.width),
  },
  alt: (data, ctx) => `${ctx.title}: retention of ${data.retention.cohorts.length} cohort${data.retention.cohorts.length === 1 ? "" : "s"} by ${data.retention.period}`,
  text: (data) => data.retention.cohorts.slice(-MAX_ROWS).map((c) => `  ${c.cohort} (${c.users}): ${c.rates.slice(1).map(pct).join(" ") || "—"}`),
});

function retentionBody(r: RetentionData, width: number): Node {
  const cols = Math.min(r.periods, 9);
  const first = 140;
  const w = Math.max(36, Math.floor((width - first) / (cols + 1)));
  const row = (cells: string[], head: boolean) =>
    box(
      { height: ROW_H, alignItems: "center", borderBottom: `1px solid ${TOKENS.grid}`, fontSize: head ? 11 : 12 },
      cells.map((c, i) => text({ width: i === 0 ? first : w, justifyContent: i === 0 ? "flex-start" : "flex-end", color: head ? TOKENS.muted : TOKENS.text }, c)),
    );
  const head = row(["Cohort", "Users", ...Array.from({ length: cols }, (_, k) => (k === 0 ? r.period : `+${k}`))], true);
  const rows = r.cohorts.slice(-MAX_ROWS).map((c) => row([c.cohort, String(c.users), ...Array.from({ length: cols }, (_, k) => pct(c.rates[k] ?? null))], false));
  return box({ flexDirection: "column", width }, [head, ...rows]);
}
