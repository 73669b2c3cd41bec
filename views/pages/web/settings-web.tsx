/** @jsxImportSource hono/jsx */
import { Confirm, CopyField, FieldError, Notice, type FieldErrors } from "../products/parts";
import { formatDateTime } from "../products/format";
import type { WebSettings } from "../../../src/web/sites";
import type { DropCount } from "../../../src/web/settings/drops";

export type WebSettingsProps = {
  product: { id: string; name: string; timezone: string; siteToken: string };
  canEdit: boolean;
  domains: string[];
  settings: WebSettings;
  drops: DropCount[];
  urls: { base: string; install: string };
  values?: Partial<Record<"domain" | "mode" | "window" | "excluded" | "ips", string>>;
  errors?: FieldErrors;
  notice?: { section: "domains" | "token" | "tracking"; message: string; tone?: "ok" | "warn" };
};

const DROP_LABELS: Record<string, string> = {
  bot: "Bots and automated browsers",
  ip_excluded: "From an excluded IP range",
  excluded_path: "On an excluded path",
  unknown_domain: "From a domain not listed here",
};

/**
 * The Web tab of a product's settings (#web-settings): domains, the site token, the tracking mode,
 * attribution window, excluded paths, IP exclusions and what was dropped. Owners change things
 * that change tracking; members see them. htmx swaps the whole tab after each form.
 */
export function WebSettingsTab(props: WebSettingsProps) {
  const notice = (section: string) => (props.notice?.section === section ? <Notice message={props.notice.message} tone={props.notice.tone} /> : null);
  const errors = props.errors ?? {};
  const { base } = props.urls;
  return (
    <section id="web-settings" class="settings-stack">
      <link rel="stylesheet" href="/static/web.css" />
      <div class="card settings-section" data-testid="web-domains">
        <h2>Domains</h2>
        <p class="muted">
          Page views count only from these sites. <code>example.com</code> also covers <code>www.example.com</code>; other sub-domains count only if listed.
        </p>
        {notice("domains")}
        {props.domains.length ? (
          <ul class="plain-list domain-list" data-testid="domain-list">
            {props.domains.map((d) => (
              <li>
                <code>{d}</code>
                {props.canEdit ? (
                  <form method="post" action={`${base}/domains/remove`} hx-post={`${base}/domains/remove`} hx-target="#web-settings" hx-swap="outerHTML" class="inline-form">
                    <input type="hidden" name="domain" value={d} />
                    <button type="submit" class="btn btn-small btn-ghost" aria-label={`Remove ${d}`}>
                      Remove
                    </button>
                  </form>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p class="notice notice-warn">No domain yet: nothing is counted until you add your site's domain.</p>
        )}
        {props.canEdit ? (
          <form method="post" action={`${base}/domains`} hx-post={`${base}/domains`} hx-target="#web-settings" hx-swap="outerHTML" class="inline-form" novalidate>
            <label for="web-domain" class="visually-hidden">
              Domain to add
            </label>
            <input id="web-domain" class="input" name="domain" value={props.values?.domain ?? ""} placeholder="example.com" autocomplete="off" aria-invalid={errors.domain ? "true" : undefined} aria-describedby={errors.domain ? "web-domain-error" : undefined} />
            <button type="submit" class="btn btn-primary">
              Add domain
            </button>
            <FieldError id="web-domain" message={errors.domain} />
          </form>
        ) : null}
      </div>

      <div class="card settings-section" data-testid="web-token">
        <h2>Site token</h2>
        <p class="muted">
          Public by design: it is in your pages' HTML and can only send page views and events. Rotate it if someone else sends data with it; then update the snippet (see the <a href={props.urls.install}>install page</a>).
        </p>
        {notice("token")}
        <CopyField value={props.product.siteToken} label="site token" testId="site-token" />
        {props.canEdit ? (
          <Confirm label="Rotate token" question="The current snippet stops counting at once: paste the new one on your site right after." confirmLabel="Rotate site token" action={`${base}/token`} target="#web-settings" testId="rotate-token" danger />
        ) : null}
      </div>

      <div class="card settings-section" data-testid="web-tracking">
        <h2>Tracking</h2>
        {notice("tracking")}
        <TrackingForm {...props} />
      </div>

      <div class="card settings-section" data-testid="web-drops">
        <h2>Dropped on purpose</h2>
        <p class="muted">Requests the tracker refused to count, since the product was created. They never reach the dashboard.</p>
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Reason</th>
              <th scope="col" class="num">Dropped</th>
              <th scope="col">Last</th>
            </tr>
          </thead>
          <tbody>
            {props.drops.map((d) => (
              <tr data-reason={d.reason}>
                <td>{DROP_LABELS[d.reason] ?? d.reason}</td>
                <td class="num" data-label="Dropped:">{d.n.toLocaleString("en-US")}</td>
                <td class="muted" data-label="Last:">{d.lastAt === null ? "never" : formatDateTime(d.lastAt, props.product.timezone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function TrackingForm(props: WebSettingsProps) {
  const errors = props.errors ?? {};
  const v = props.values ?? {};
  const s = props.settings;
  const mode = v.mode ?? s.mode;
  const disabled = !props.canEdit;
  const aria = (field: string) => ({ "aria-invalid": errors[field] ? "true" : undefined, "aria-describedby": errors[field] ? `web-${field}-error` : `web-${field}-hint` });
  return (
    <form method="post" action={`${props.urls.base}/tracking`} hx-post={`${props.urls.base}/tracking`} hx-target="#web-settings" hx-swap="outerHTML" novalidate>
      <fieldset class="field" disabled={disabled} aria-describedby={errors.mode ? "web-mode-error" : undefined}>
        <legend>Visitor identity</legend>
        <label class="radio">
          <input type="radio" name="mode" value="privacy" checked={mode === "privacy"} aria-invalid={errors.mode ? "true" : undefined} />
          <span>
            <strong>Privacy mode</strong> (default): a visitor is a daily-salted hash, forgotten at midnight UTC. Nothing is stored in the browser.
          </span>
        </label>
        <label class="radio">
          <input type="radio" name="mode" value="attribution" checked={mode === "attribution"} aria-invalid={errors.mode ? "true" : undefined} />
          <span>
            <strong>Attribution mode</strong>: the script keeps a random id in localStorage for the attribution window, so a purchase days later is credited to the visit that brought it. Mention it in your privacy policy.
          </span>
        </label>
        <FieldError id="web-mode" message={errors.mode} />
      </fieldset>
      <div class="field">
        <label for="web-window">Attribution window (days)</label>
        <input id="web-window" class="input input-short" name="window" inputmode="numeric" value={v.window ?? String(s.attributionWindowDays)} disabled={disabled} {...aria("window")} />
        <p class="hint" id="web-window-hint">
          1–90 days. Attribution mode keeps the id this long.
        </p>
        <FieldError id="web-window" message={errors.window} />
      </div>
      <div class="field">
        <label for="web-excluded">Excluded paths</label>
        <textarea id="web-excluded" class="input" name="excluded" rows={3} placeholder={"/admin/**\n/preview/*"} disabled={disabled} {...aria("excluded")}>
          {v.excluded ?? s.excludedPaths.join("\n")}
        </textarea>
        <p class="hint" id="web-excluded-hint">
          One per line. <code>*</code> matches within a path segment, <code>**</code> across segments.
        </p>
        <FieldError id="web-excluded" message={errors.excluded} />
      </div>
      <div class="field">
        <label for="web-ips">Excluded IP addresses</label>
        <textarea id="web-ips" class="input" name="ips" rows={3} placeholder={"203.0.113.0/24\n2001:db8::/32"} disabled={disabled} {...aria("ips")}>
          {v.ips ?? s.ipExclusions.join("\n")}
        </textarea>
        <p class="hint" id="web-ips-hint">
          One address or CIDR range per line (IPv4 or IPv6), e.g. your office. Checked on arrival, never stored with a visit.
        </p>
        <FieldError id="web-ips" message={errors.ips} />
      </div>
      {props.canEdit ? (
        <div class="form-actions">
          <button type="submit" class="btn btn-primary">
            Save tracking settings
          </button>
        </div>
      ) : (
        <p class="muted small">Only the product's owners change tracking settings.</p>
      )}
    </form>
  );
}
