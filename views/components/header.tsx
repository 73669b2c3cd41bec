/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { ProductSwitcher } from "./product-switcher";
import { BrandMark } from "./brand";

export type HeaderUser = { email: string; name?: string | null };
export type HeaderProduct = { id: string; name: string; role?: string };

/**
 * The app header: brand, product switcher (with "New product"), the current product's nav slot,
 * and the user menu (theme, sign out). Shows only what this visitor can use: nothing but the
 * brand when signed out, no switcher when the page passes no product list.
 *
 * `nav` is the area's own links (e.g. a product's dashboards and settings) — see HeaderNavLink.
 */
export function Header(props: { user: HeaderUser | null; products?: HeaderProduct[]; current?: { id: string; name: string }; nav?: Child; unread?: number }) {
  return (
    <header class="app-header">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <div class="app-header-inner">
        <a class="brand" href="/" aria-label="LiteKPI home">
          <BrandMark />
          <span class="brand-name">LiteKPI</span>
        </a>
        {props.user && props.products ? (
          <>
            <span class="header-sep" aria-hidden="true">
              /
            </span>
            <ProductSwitcher products={props.products.map((p) => ({ ...p, role: p.role ?? "owner" }))} current={props.current} />
          </>
        ) : null}
        {props.nav ? (
          <nav class="app-nav" aria-label={props.current ? `${props.current.name} navigation` : "Navigation"}>
            {props.nav}
          </nav>
        ) : null}
        <div class="header-end">
          {props.user && props.unread !== undefined ? <Bell unread={props.unread} /> : null}
          {props.user ? (
            <UserMenu user={props.user} />
          ) : (
            <>
              <a class="btn btn-small btn-quiet" href="/docs">
                API
              </a>
              <a class="btn btn-small" href="/login">
                Sign in
              </a>
            </>
          )}
        </div>
      </div>
    </header>
  );
}

/** The in-app notifications (alerts with the in-app channel): a link to /notifications with the unread count. */
function Bell(props: { unread: number }) {
  const label = props.unread ? `Notifications: ${props.unread} unread` : "Notifications";
  return (
    <a class="icon-btn bell" href="/notifications" aria-label={label} title={label} data-testid="bell">
      <svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
        <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
      </svg>
      {props.unread ? (
        <span class="bell-count" data-testid="bell-count">
          {props.unread > 99 ? "99+" : props.unread}
        </span>
      ) : null}
    </a>
  );
}

/** A link in the header's nav slot; `active` marks the page the visitor is on. */
export function HeaderNavLink(props: { href: string; active?: boolean; children: Child }) {
  return (
    <a href={props.href} aria-current={props.active ? "page" : undefined}>
      {props.children}
    </a>
  );
}

/**
 * Sign out is a POST form (a GET link could be triggered by any page); the CSRF middleware checks
 * its Origin like every other form. The theme choice needs script, so it stays hidden (x-cloak)
 * until Alpine runs; the page follows the system theme meanwhile.
 */
function UserMenu(props: { user: HeaderUser }) {
  const initial = (props.user.name || props.user.email).trim().charAt(0) || "?";
  return (
    <details class="menu menu-end user-menu" data-testid="user-menu">
      <summary class="icon-btn user-button" aria-label={`Account: ${props.user.email}`}>
        <span class="avatar" aria-hidden="true">
          {initial}
        </span>
      </summary>
      <div class="menu-items">
        <div class="menu-identity">
          {props.user.name ? <strong>{props.user.name}</strong> : null}
          <span class="muted small">{props.user.email}</span>
        </div>
        <div class="menu-row" x-data="themeToggle" x-cloak>
          <span id="theme-label">Theme</span>
          <div class="segmented" role="group" aria-labelledby="theme-label">
            <button type="button" data-theme-choice="light" x-on:click="choose" x-bind:aria-pressed="isLight">
              Light
            </button>
            <button type="button" data-theme-choice="dark" x-on:click="choose" x-bind:aria-pressed="isDark">
              Dark
            </button>
            <button type="button" data-theme-choice="system" x-on:click="choose" x-bind:aria-pressed="isSystem">
              Auto
            </button>
          </div>
        </div>
        <div class="menu-sep" role="separator"></div>
        <a class="menu-item" href="/docs">
          API reference
        </a>
        <form method="post" action="/logout">
          <button type="submit" class="menu-item" data-testid="sign-out">
            Sign out
          </button>
        </form>
      </div>
    </details>
  );
}
