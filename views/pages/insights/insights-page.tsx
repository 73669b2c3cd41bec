/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import type { ActiveUsers } from "../../../src/insights/active-users";
import type { Retention } from "../../../src/insights/retention";
import type { Sessions } from "../../../src/insights/sessions";
import { formatNumber } from "../../widgets/format";
import { productUrl } from "../../../src/products/urls";

/**
 * Product insights on events: active users per day, weekly retention cohorts and sessions over
 * the chosen range (a plain GET form, so the URL is shareable). Pure: the numbers come in props.
 */
export type InsightsPageProps = {
  header?: Child;
  product: { id: string; name: string };
  range: string;
  event: string;
  activeUsers: ActiveUsers;
  retention: Retention;
  sessions: Sessions;
};

const RANGES = ["7d", "30d", "90d", "6mo"];
const pct = (v: number | null) => (v === null ? "—" : `${Math.round(v * 1000) / 10}%`);

export function InsightsPage(p: InsightsPageProps) {
  return (
    <Layout title={`Insights · ${p.product.name}`} header={p.header}>
      <div class="page-head">
        <div>
          <p class="eyebrow">{p.product.name}</p>
          <h1>Insights</h1>
        </div>
        <form method="get" action={productUrl(p.product.id, "insights")} class="inline-form">
          <label for="ins-range">Range</label>
          <select id="ins-range" name="range" class="input">
            {RANGES.map((r) => (
              <option value={r} selected={r === p.range}>{r}</option>
            ))}
          </select>
          <label for="ins-event">Event</label>
          <input id="ins-event" name="event" class="input" value={p.event} placeholder="any event" />
          <button type="submit" class="btn">Show</button>
        </form>
      </div>
      <section class="card settings-section" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions</h2>
        <dl class="stat-row" data-testid="sessions">
          <div><dt>Sessions</dt><dd>{formatNumber(p.sessions.sessions)}</dd></div>
          <div><dt>Average length</dt><dd>{p.sessions.averageSeconds === null ? "—" : `${formatNumber(p.sessions.averageSeconds)} s`}</dd></div>
          <div><dt>Bounce rate</dt><dd>{pct(p.sessions.bounceRate)}</dd></div>
        </dl>
      </section>
      <section class="card settings-section" aria-labelledby="au-title">
        <h2 id="au-title">Active users</h2>
        <div class="table-scroll">
          <table class="data-table" data-testid="active-users">
            <thead><tr><th scope="col">Day</th><th scope="col" class="num">DAU</th><th scope="col" class="num">WAU</th><th scope="col" class="num">MAU</th><th scope="col" class="num">DAU / MAU</th></tr></thead>
            <tbody>
              {[...p.activeUsers.days].reverse().map((d) => (
                <tr><th scope="row">{d.date}</th><td class="num">{d.dau}</td><td class="num">{d.wau}</td><td class="num">{d.mau}</td><td class="num">{pct(d.stickiness)}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card settings-section" aria-labelledby="ret-title">
        <h2 id="ret-title">Retention by week</h2>
        {p.retention.cohorts.length === 0 ? (
          <p class="empty-line">No users started in this range.</p>
        ) : (
          <div class="table-scroll">
            <table class="data-table" data-testid="retention">
              <thead>
                <tr>
                  <th scope="col">Cohort</th><th scope="col" class="num">Users</th>
                  {p.retention.cohorts[0]!.retained.slice(1).map((_, k) => <th scope="col" class="num">+{k + 1}</th>)}
                </tr>
              </thead>
              <tbody>
                {p.retention.cohorts.map((c) => (
                  <tr><th scope="row">{c.cohort}</th><td class="num">{c.users}</td>{c.rates.slice(1).map((r) => <td class="num">{pct(r)}</td>)}</tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Layout>
  );
}
