/** @jsxImportSource hono/jsx */

/**
 * The dashboards' own scripts. Not deferred on purpose: they must register their Alpine
 * components before the (deferred) Alpine script starts, and they wait for DOMContentLoaded
 * before touching htmx. External files only, so the strict CSP holds.
 */
export function DashboardScripts(props: { charts?: boolean }) {
  return (
    <>
      {props.charts ? <link rel="stylesheet" href="/static/vendor/uplot.min.css" /> : null}
      {props.charts ? <script src="/static/vendor/uplot.min.js"></script> : null}
      {props.charts ? <script src="/static/charts.js"></script> : null}
      <script src="/static/dashboards.js"></script>
    </>
  );
}
