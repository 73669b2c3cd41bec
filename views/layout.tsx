/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";

/** The HTML shell (render it with `sendPage`, which adds the doctype). No inline scripts or styles, so the strict CSP holds. */
export function Layout(props: { title: string; children?: Child; header?: Child }) {
  return (
    <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          {/* Strict CSP (style-src 'self'): htmx must not inject its indicator <style>, nor copy style attributes while settling a swap */}
          <meta name="htmx-config" content='{"includeIndicatorStyles":false,"attributesToSettle":["class","width","height"]}' />
          <DocumentTitle title={props.title} />
          <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
          <link rel="stylesheet" href="/static/app.css" />
          <script src="/static/theme.js"></script>
          <script defer src="/static/vendor/htmx.min.js"></script>
          {/* app.js before Alpine: its components register on alpine:init, which Alpine fires as soon as it loads */}
          <script defer src="/static/app.js"></script>
          <script defer src="/static/vendor/alpine-csp.min.js"></script>
        </head>
        <body>
          {props.header}
          <main class="main" id="main">
            {props.children}
          </main>
        </body>
    </html>
  );
}

/**
 * The tab title. A fragment that changes what a page is called (a rename) sends one too: htmx 2
 * takes a top-level <title> out of any swapped response and sets document.title from it.
 */
export function DocumentTitle(props: { title: string }) {
  return <title>{props.title} · LiteKPI</title>;
}
