/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import type { EventSchema } from "../../../src/explorer/explorer";
import type { EventsPage, StoredEvent } from "../../../src/query/events/list";
import { productUrl } from "../../../src/products/urls";

/**
 * The event explorer (seed 002 §4.1): browse by namespace, event and time, search by a
 * property, open an event's JSON, watch new events arrive live (static/explorer.js, SSE with the
 * same filters), and the schema the writer inferred for each event. Pure: data in props.
 */
export type ExplorerFilters = { namespace: string; event: string; property: string; value: string; range: string };
export type ExplorerProps = { header?: Child; product: { id: string; name: string }; filters: ExplorerFilters; page: EventsPage; schemas: EventSchema[]; streamUrl: string; error?: string };

const RANGES = ["1h", "24h", "7d", "30d", "90d"];

export function ExplorerPage(p: ExplorerProps) {
  const base = productUrl(p.product.id, "explorer");
  const f = p.filters;
  const pageUrl = (offset: number) => `${base}?${new URLSearchParams({ ...f, offset: String(offset), asOf: p.page.asOf })}`;
  return (
    <Layout title={`Events · ${p.product.name}`} header={p.header}>
      <script defer src="/static/explorer.js"></script>
      <div class="page-head">
        <div>
          <p class="eyebrow">{p.product.name}</p>
          <h1>Event explorer</h1>
        </div>
      </div>
      <form method="get" action={base} class="card inline-form" data-testid="explorer-filters">
        <label for="ex-ns">Namespace</label>
        <input id="ex-ns" class="input" name="namespace" value={f.namespace} placeholder="any" />
        <label for="ex-event">Event</label>
        <input id="ex-event" class="input" name="event" value={f.event} placeholder="any" />
        <label for="ex-prop">Property</label>
        <input id="ex-prop" class="input" name="property" value={f.property} placeholder="plan or context.org_id" />
        <label for="ex-value">equals</label>
        <input id="ex-value" class="input" name="value" value={f.value} />
        <label for="ex-range">Range</label>
        <select id="ex-range" class="input" name="range">
          {RANGES.map((r) => <option value={r} selected={r === f.range}>{r}</option>)}
        </select>
        <button type="submit" class="btn">Search</button>
      </form>
      {p.error ? <p class="notice notice-warn" role="alert">{p.error}</p> : null}
      <section class="card settings-section" aria-labelledby="live-title">
        <h2 id="live-title">Live</h2>
        <p id="live-status" class="muted">Connecting…</p>
        <ol id="live-events" class="live-events" data-stream={p.streamUrl} data-detail={`${base}/event?seq=SEQ`} data-testid="live-events"></ol>
      </section>
      <section class="card settings-section" aria-labelledby="events-title">
        <h2 id="events-title">Events <span class="muted">({p.page.total})</span></h2>
        <div class="table-scroll">
          <table class="data-table" data-testid="events-table">
            <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Event</th><th scope="col">Namespace</th><th scope="col">Properties</th></tr></thead>
            <tbody>
              {p.page.events.map((e) => (
                <tr data-seq={e.seq}>
                  <td><a href={`${base}/event?seq=${e.seq}`}>{e.timestamp}</a></td>
                  <td>{e.event}</td>
                  <td>{e.namespace ?? ""}</td>
                  <td><code>{JSON.stringify(e.properties).slice(0, 120)}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p class="pager">
          {p.page.offset > 0 ? <a class="btn btn-small" href={pageUrl(Math.max(0, p.page.offset - p.page.limit))}>Newer</a> : null}
          {p.page.offset + p.page.events.length < p.page.total ? <a class="btn btn-small" href={pageUrl(p.page.offset + p.page.limit)}>Older</a> : null}
        </p>
      </section>
      <section class="card settings-section" aria-labelledby="schema-title">
        <h2 id="schema-title">Inferred schema</h2>
        {p.schemas.length === 0 ? <p class="empty-line">No events yet.</p> : null}
        {p.schemas.map((s) => (
          <details class="schema" data-event={s.name}>
            <summary>
              <strong>{s.name}</strong> <span class="muted">{s.events} events</span>
            </summary>
            <table class="data-table">
              <thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col" class="num">Present</th><th scope="col">Example</th></tr></thead>
              <tbody>
                {s.fields.map((x) => (
                  <tr><td><code>{x.field}</code></td><td>{x.type}</td><td class="num">{Math.round(x.share * 1000) / 10}%</td><td><code>{x.example}</code></td></tr>
                ))}
              </tbody>
            </table>
          </details>
        ))}
      </section>
    </Layout>
  );
}

export function EventDetailPage(p: { header?: Child; product: { id: string; name: string }; event: StoredEvent }) {
  return (
    <Layout title={`${p.event.event} · ${p.product.name}`} header={p.header}>
      <div class="page-head">
        <div>
          <p class="eyebrow"><a href={productUrl(p.product.id, "explorer")}>Event explorer</a></p>
          <h1>{p.event.event}</h1>
        </div>
      </div>
      <pre class="card json-view" data-testid="event-json">{JSON.stringify(p.event, null, 2)}</pre>
    </Layout>
  );
}
