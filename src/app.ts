import { Hono, type Context } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { Deps } from "./deps";
import { handleError, handleNotFound } from "./http/errors";
import { healthRoutes } from "./http/health-routes";
import { metricsRoutes } from "./ops/metrics-routes";
import { staticRoutes } from "./http/static-routes";
import type { AppEnv } from "./http/context";
import { sessionMiddleware } from "./auth/middleware";
import { csrfProtection } from "./auth/csrf";
import { authRoutes } from "./auth/routes";
import { homeRoutes } from "./http/home-routes";
import { ingestRoutes } from "./ingest/routes";
import { createIngestHandler, type IngestHandler } from "./ingest/handler";
import { productRoutes } from "./products/routes";
import { teamRoutes } from "./teams/routes";
import { queryRoutes } from "./query/routes";
import { dashboardRoutes } from "./dashboards/routes";
import { reportRoutes } from "./reports/routes";
import { pageHeader } from "./products/page-header";
import { peopleRoutes } from "./ops/people-routes";
import { alertApiRoutes } from "./alerts/api-routes";
import { alertPageRoutes } from "./alerts/page-routes";

/**
 * Middleware and one `app.route()` per area. Areas are factories `(deps) => Hono` so nothing
 * reads globals. Product-scoped routes name their parameter `:productId` (the one access check
 * and the cross-tenant route walker key on it).
 */
export function createApp(deps: Deps, opts: { ingest?: IngestHandler } = {}) {
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
  // Ingestion is keyed by bearer tokens only: mounted before the session (and any CSRF) middleware.
  app.route("/", ingestRoutes(opts.ingest ?? createIngestHandler(deps)));
  // Every state-changing request below must come from our own pages (Origin / Sec-Fetch-Site),
  // unless it carries a bearer key or is the public tracker or a webhook: see src/auth/csrf.ts.
  app.use(csrfProtection(deps));
  // Everything below knows who is asking (c.var.user / c.var.session; null when anonymous).
  app.use(sessionMiddleware(deps));
  // ── areas: one app.route() each ──
  app.route("/", homeRoutes(deps));
  app.route("/", authRoutes(deps));
  app.route("/", productRoutes(deps));
  app.route("/", teamRoutes(deps));
  app.route("/", queryRoutes(deps));
  app.route("/", peopleRoutes(deps));
  app.route("/", alertApiRoutes(deps));
  // After the products area: its /products/new must win over the product home's /products/:productId.
  app.route("/", dashboardRoutes(deps));
  app.route("/", reportRoutes(deps));
  app.route("/", alertPageRoutes(deps));
  // Error pages keep the header (product switcher, user menu), so there is a way on from them.
  const header = (c: Context<AppEnv>) => pageHeader(deps, c);
  app.notFound((c) => handleNotFound(c, deps.log, header));
  app.onError((err, c) => handleError(err, c, deps.log, header));
  return app;
}
