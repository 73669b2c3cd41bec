/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import { BrandMark } from "../../components/brand";

export const TAGLINE = "Self-hosted KPIs and product analytics: send your numbers, see them on one calm dashboard.";

/** Sign in, register, reset, verify: one centred card under the product's name and what it is. */
export function AuthShell(props: { title: string; children: Child; foot?: Child; testId?: string }) {
  return (
    <Layout title={props.title}>
      <div class="auth-page">
        <div class="auth-brand">
          <a class="brand" href="/">
            <BrandMark />
            <span>LiteKPI</span>
          </a>
          <p class="auth-tagline">{TAGLINE}</p>
        </div>
        <div class="card auth-card" data-testid={props.testId}>
          {props.children}
        </div>
        {props.foot ? <p class="auth-foot">{props.foot}</p> : null}
      </div>
    </Layout>
  );
}

/** The round icon at the top of a status card (check your inbox, verified, link expired). */
export function AuthIcon(props: { kind: "mail" | "ok" | "bad" | "key" }) {
  const cls = props.kind === "ok" ? "auth-icon auth-icon-ok" : props.kind === "bad" ? "auth-icon auth-icon-bad" : "auth-icon";
  return (
    <div class={cls} aria-hidden="true">
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" focusable="false">
        {props.kind === "mail" ? (
          <>
            <rect x="3" y="5" width="18" height="14" rx="2" />
            <path d="m3 7 9 6 9-6" />
          </>
        ) : props.kind === "ok" ? (
          <path d="m5 12 5 5 9-10" />
        ) : props.kind === "bad" ? (
          <>
            <circle cx="12" cy="12" r="9" />
            <path d="M12 8v5M12 16.5v.01" />
          </>
        ) : (
          <>
            <circle cx="8" cy="15" r="4" />
            <path d="m10.8 12.2 8.2-8.2M16 7l2 2M14 9l2 2" />
          </>
        )}
      </svg>
    </div>
  );
}
