/** @jsxImportSource hono/jsx */
import { SnippetTabs } from "../../components/ingest-snippets";
import { formatNumber } from "../../widgets/format";

/**
 * "Send your first data point": the three snippets (curl, JavaScript, Python), a way to get a key
 * into them (keys are stored hashed, so an owner can mint a fresh "Onboarding" key shown once),
 * and a status line polled every 2 s that turns into "received signups = 1" when data arrives.
 */
export const KEY_PLACEHOLDER = "YOUR_INGEST_KEY";

export type OnboardingUrls = { key: string; status: string; keys: string; createStarter: string };

export function OnboardingPanel(props: { baseUrl: string; secret: string | null; canCreateKey: boolean; urls: OnboardingUrls; status: OnboardingStatusProps["status"] }) {
  return (
    <section class="card onboarding" aria-labelledby="onboarding-title" data-testid="onboarding">
      <p class="eyebrow">Getting started</p>
      <h2 id="onboarding-title">Send your first data point</h2>
      <p class="muted">
        Post a number with a metric name from anywhere: your backend, a script, a cron job. It shows up here within seconds, and then you can chart it.
      </p>
      <Snippets baseUrl={props.baseUrl} secret={props.secret} canCreateKey={props.canCreateKey} urls={props.urls} />
      <OnboardingStatus status={props.status} urls={props.urls} />
    </section>
  );
}

/** The snippets block; the "create a key" button swaps it for the same block with the real key. */
export function Snippets(props: { baseUrl: string; secret: string | null; canCreateKey: boolean; urls: OnboardingUrls }) {
  const key = props.secret ?? KEY_PLACEHOLDER;
  return (
    <div id="onboarding-snippets" class="snippets">
      {props.secret ? (
        <p class="notice notice-ok" role="status" data-testid="onboarding-key">
          A new ingest key named “Onboarding” is in the snippets below. Copy it now: it is shown only once.
        </p>
      ) : props.canCreateKey ? (
        <div class="key-step">
          <p>
            Use the ingest key you got when you created the product, or make one for these snippets:
          </p>
          <form hx-post={props.urls.key} hx-target="#onboarding-snippets" hx-swap="outerHTML" method="post" action={props.urls.key}>
            <button type="submit" class="btn btn-primary" data-testid="onboarding-create-key">
              Create an ingest key
            </button>
          </form>
        </div>
      ) : (
        <p class="muted">
          Replace {KEY_PLACEHOLDER} with an ingest key; the product's owner can create one in <a href={props.urls.keys}>settings</a>.
        </p>
      )}
      <SnippetTabs endpoint={`${props.baseUrl}/api/v1/points`} secret={key} />
    </div>
  );
}

export type OnboardingStatusProps = {
  status: { kind: "waiting" } | { kind: "received"; metric: string; value: number | null; points: number };
  urls: OnboardingUrls;
};

/** Polls itself every 2 s while waiting; once data is there it stops polling (no hx-trigger). */
export function OnboardingStatus(props: OnboardingStatusProps) {
  const { status } = props;
  if (status.kind === "waiting") {
    return (
      <div id="onboarding-status" class="onboarding-status waiting" hx-get={props.urls.status} hx-trigger="every 2s" hx-swap="outerHTML" role="status" data-testid="onboarding-status">
        <span class="pulse" aria-hidden="true"></span> Waiting for data…
      </div>
    );
  }
  return (
    <div id="onboarding-status" class="onboarding-status received" role="status" data-testid="onboarding-status">
      <p>
        <span class="ok-mark" aria-hidden="true">✓</span> Received <strong>{status.metric}</strong> = <strong class="figure-inline">{formatNumber(status.value)}</strong>
      </p>
      <form method="post" action={props.urls.createStarter}>
        <input type="hidden" name="starter_metric" value={status.metric} />
        <input type="hidden" name="name" value="Overview" />
        <button type="submit" class="btn btn-primary" data-testid="onboarding-create-dashboard">
          Create a dashboard for {status.metric}
        </button>
      </form>
    </div>
  );
}
