import { Hono, type Context } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { Deps } from "./deps";
import { handleError, handleNotFound } from "./http/errors";
import { healthRoutes } from "./http/health-routes";
import { metricsRoutes } from "./ops/metrics-routes";
import { staticRoutes } from "./http/static-routes";
import { trackerRoutes } from "./web/tracker/routes";
import type { AppEnv } from "./http/context";
import { sessionMiddleware } from "./auth/middleware";
import { csrfProtection } from "./auth/csrf";
import { webhookRoutes } from "./revenue/webhook-routes";
import { revenueRoutes } from "./revenue/routes";
import { revenueSettingsRoutes } from "./revenue/settings-routes";
import { authRoutes } from "./auth/routes";
import { homeRoutes } from "./http/home-routes";
import { ingestRoutes } from "./ingest/routes";
import { trackRoutes } from "./web/ingest/routes";
import { webQueryRoutes } from "./web/query/routes";
import { createIngestHandler, type IngestHandler } from "./ingest/handler";
import { productRoutes } from "./products/routes";
import { teamRoutes } from "./teams/routes";
import { queryRoutes } from "./query/routes";
import { dashboardRoutes } from "./dashboards/routes";
import { reportRoutes } from "./reports/routes";
import { pageHeader } from "./products/page-header";
import { goalRoutes } from "./goals/routes";
import { funnelRoutes } from "./funnels/routes";
import { funnelPageRoutes } from "./funnels/page-routes";
import { peopleRoutes } from "./ops/people-routes";
import { webSettingsRoutes } from "./web/settings/routes";
import { webDashboardRoutes } from "./web/dashboard/routes";
import { installRoutes } from "./web/install/routes";
import { createDropInRoutes, dropInApp } from "./dropins";
import type { DropInRoute } from "./dropins/common";
import { createEventStream, streamRoutes, type EventStream } from "./dropins/stream";
import { openapiRoutes } from "./openapi/routes";
import { eventQueryRoutes } from "./query/events/routes";
import { metricDefinitionRoutes } from "./metrics/routes";
import { metricPageRoutes } from "./metrics/page-routes";
import { insightRoutes } from "./insights/routes";
import { insightPageRoutes } from "./insights/page-routes";
import { explorerRoutes } from "./explorer/routes";
import { namespaceRoutes } from "./namespaces/routes";
import { alertApiRoutes } from "./alerts/api-routes";
import { webhookApiRoutes } from "./webhooks/api-routes";
import { webhookPageRoutes } from "./webhooks/page-routes";
import { alertPageRoutes } from "./alerts/page-routes";

/**
 * Middleware and one `app.route()` per area. Areas are factories `(deps) => Hono` so nothing
 * reads globals. Product-scoped routes name their parameter `:productId` (the one access check
 * and the cross-tenant route walker key on it).
 */
export function createApp(deps: Deps, opts: { ingest?: IngestHandler; dropins?: DropInRoute[]; stream?: EventStream } = {}) {
  const app = new Hono<AppEnv>();
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
      },
      crossOriginResourcePolicy: false, // the tracking script and its endpoint are loaded cross-site
    }),
  );
  app.route("/", healthRoutes(deps));
  app.route("/", metricsRoutes(deps));
  app.route("/", staticRoutes());
  app.route("/", trackerRoutes());
  // Ingestion is keyed by bearer tokens only: mounted before the session (and any CSRF) middleware.
  app.route("/", ingestRoutes(opts.ingest ?? createIngestHandler(deps)));
  app.route("/", trackRoutes(deps));
  // Drop-in protocols (PostHog, Segment, InfluxDB…) authenticate with keys in their own places.
  app.route("/", dropInApp(opts.dropins ?? createDropInRoutes(deps)));
  app.route("/", streamRoutes(opts.stream ?? createEventStream(deps)));
  // Every state-changing request below must come from our own pages (Origin / Sec-Fetch-Site),
  // unless it carries a bearer key or is the public tracker or a webhook: see src/auth/csrf.ts.
  // Payment webhooks are authenticated by the provider's signature alone.
  app.route("/", webhookRoutes(deps));
  app.use(csrfProtection(deps));
  // Everything below knows who is asking (c.var.user / c.var.session; null when anonymous).
  app.use(sessionMiddleware(deps));
  // ── areas: one app.route() each ──
  app.route("/", homeRoutes(deps));
  app.route("/", authRoutes(deps));
  app.route("/", productRoutes(deps));
  app.route("/", teamRoutes(deps));
  app.route("/", queryRoutes(deps));
  app.route("/", webQueryRoutes(deps));
  app.route("/", eventQueryRoutes(deps));
  app.route("/", metricDefinitionRoutes(deps));
  app.route("/", metricPageRoutes(deps));
  app.route("/", insightRoutes(deps));
  app.route("/", insightPageRoutes(deps));
  app.route("/", explorerRoutes(deps));
  app.route("/", namespaceRoutes(deps));
  app.route("/", peopleRoutes(deps));
  app.route("/", revenueRoutes(deps));
  app.route("/", revenueSettingsRoutes(deps));
  app.route("/", goalRoutes(deps));
  app.route("/", funnelRoutes(deps));
  app.route("/", funnelPageRoutes(deps));
  // After the products area: its /products/new must win over the product home's /products/:productId.
  app.route("/", dashboardRoutes(deps));
  app.route("/", reportRoutes(deps));
  app.route("/", webSettingsRoutes(deps));
  app.route("/", webDashboardRoutes(deps));
  app.route("/", installRoutes(deps));
  app.route("/", alertApiRoutes(deps));
  app.route("/", alertPageRoutes(deps));
  app.route("/", webhookApiRoutes(deps));
  app.route("/", webhookPageRoutes(deps));
  // The API document and /docs read the finished route table (every area above), at first request.
  app.route("/", openapiRoutes(deps, () => app.routes));
  // Error pages keep the header (product switcher, user menu), so there is a way on from them.
  const header = (c: Context<AppEnv>) => pageHeader(deps, c);
  app.notFound((c) => handleNotFound(c, deps.log, header));
  app.onError((err, c) => handleError(err, c, deps.log, header));
  return app;
}
