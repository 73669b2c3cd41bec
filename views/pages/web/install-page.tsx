/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import { CopyField } from "../products/parts";
import { QUEUE_STUB, type Snippet, type SnippetTab } from "../../../src/web/install/snippets";

export type InstallProps = {
  header?: Child;
  product: { id: string; name: string };
  snippets: Snippet[];
  tab: SnippetTab;
  siteToken: string;
  domains: string[];
  urls: { base: string; dashboard: string; settings: string; check: string };
  testVisitUrl: string | null;
  check: TestVisitState;
};

export type TestVisitState = { arrived: number; recent: number };

/**
 * The install page (UI.md "Wave 2 pages"): tabs for HTML, Next.js, WordPress and Google Tag
 * Manager with the real site token and a Copy button, then "Send a test visit", whose status
 * polls until the visit arrives and turns green.
 */
export function InstallPage(props: InstallProps) {
  const snippet = props.snippets.find((s) => s.tab === props.tab) ?? props.snippets[0]!;
  return (
    <Layout title={`Install · Web analytics · ${props.product.name}`} header={props.header}>
      <link rel="stylesheet" href="/static/web.css" />
      <div class="web-dashboard web-install">
        <div>
          <p class="eyebrow">
            <a href={props.urls.dashboard}>← Web analytics</a>
          </p>
          <h1 class="web-title">Add LiteKPI to your site</h1>
          <p class="muted">One script tag, under 1 KB. No cookies and no IP addresses stored, so no cookie banner is needed for it.</p>
        </div>

        <section class="card install-step" aria-labelledby="install-snippet-title">
          <h2 id="install-snippet-title">1. Paste the snippet</h2>
          <nav class="web-card-tabs install-tabs" aria-label="Where your site is built">
            {props.snippets.map((s) => (
              <a href={`${props.urls.base}?tab=${s.tab}`} aria-current={s.tab === snippet.tab ? "page" : undefined} data-testid={`tab-${s.tab}`}>
                {s.label}
              </a>
            ))}
          </nav>
          <p>{snippet.where}</p>
          <CopyField value={snippet.code} label={`${snippet.label} snippet`} testId="snippet" multiline />
          <p class="muted small">
            Site token <code data-testid="site-token">{props.siteToken}</code> — public by design: it can only send page views and events. Rotate it in{" "}
            <a href={props.urls.settings}>site settings</a>.
          </p>
          <details class="install-more">
            <summary>Goals, revenue and the JavaScript API</summary>
            <ul class="plain-list">
              <li>
                Count a click or a form: <code>{'<button data-goal="signup" data-goal-plan="pro">'}</code>
              </li>
              <li>
                From code: <code>litekpi.goal("signup")</code>, <code>litekpi.track("video_played", {"{ id: \"intro\" }"})</code>
              </li>
              <li>
                Revenue: <code>litekpi.goal("purchase", {"{ revenue: { amount: 49, currency: \"USD\" } }"})</code>
              </li>
              <li>
                A known customer: <code>litekpi.identify("ada@example.com")</code>; in attribution mode <code>litekpi.visitorId()</code> gives the id to put in checkout metadata as <code>litekpi_visitor_id</code>.
              </li>
              <li>
                Tag options: <code>data-exclude="/admin/**"</code>, <code>data-hash</code> (count #routes), <code>data-dnt</code> (honour Do Not Track), <code>data-api</code> (a proxy).
              </li>
            </ul>
            <p>Calls made before the script has loaded are kept if you add this line before it:</p>
            <CopyField value={QUEUE_STUB} label="queue snippet" multiline />
          </details>
        </section>

        <section class="card install-step" aria-labelledby="install-test-title">
          <h2 id="install-test-title">2. Send a test visit</h2>
          {props.testVisitUrl ? (
            <>
              <p>
                Opens your site in a new tab (tagged utm_source=litekpi-test). This page turns green as soon as a page view arrives.
              </p>
              <p>
                <a class="btn btn-primary" href={props.testVisitUrl} target="_blank" rel="noopener" data-testid="send-test-visit">
                  Send a test visit to {props.domains[0]}
                </a>
              </p>
              <TestVisitStatus state={props.check} url={props.urls.check} />
            </>
          ) : (
            <p class="notice notice-warn" data-testid="no-domain">
              Add your site's domain first (e.g. example.com) in <a href={props.urls.settings}>site settings</a>: page views from other domains are not counted.
            </p>
          )}
        </section>
      </div>
    </Layout>
  );
}

/** Polls every 3 s until a test visit arrived; then it stays green and stops asking. */
export function TestVisitStatus(props: { state: TestVisitState; url: string }) {
  const { arrived, recent } = props.state;
  if (arrived > 0)
    return (
      <p id="test-visit" class="notice notice-ok" role="status" data-testid="test-visit" data-state="arrived">
        ✓ A page view arrived: your site is sending them. {recent > 0 ? `${recent} page view${recent === 1 ? "" : "s"} in the last 30 minutes.` : ""}
      </p>
    );
  return (
    <p id="test-visit" class="notice" role="status" hx-get={props.url} hx-trigger="every 3s" hx-swap="outerHTML" data-testid="test-visit" data-state="waiting">
      <span class="live-dot" aria-hidden="true"></span> Waiting for the test visit…{" "}
      {recent > 0 ? `(${recent} page view${recent === 1 ? "" : "s"} in the last 30 minutes, before this page was opened)` : "No page view in the last 30 minutes yet."}
    </p>
  );
}
