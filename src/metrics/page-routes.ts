import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { requireUser } from "../auth/middleware";
import { canUseDashboards, productAccess, requirePermission } from "../products/access";
import { backTo, formFields, tryField, type FormErrors } from "../http/forms";
import { isHtmx, pageOrFragment } from "../http/render";
import { badRequest } from "../lib/errors";
import { pageHeader } from "../products/page-header";
import { productUrl } from "../products/urls";
import { MetricLibrary, MetricsPage, type MetricLibraryProps } from "../../views/pages/metrics/metrics-page";
import { createDefinition, deleteDefinition, listDefinitions } from "./definitions";

/** The metric library page: every member lists, adds and deletes saved metrics (like dashboards). */
export function metricPageRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps), requirePermission(canUseDashboards, "Saved metrics are for the product's members.")] as const;

  const render = (c: Context<AppEnv>, extra: Partial<MetricLibraryProps> = {}, status = 200) => {
    const product = c.get("product");
    const props: MetricLibraryProps = { product, definitions: listDefinitions(deps.db, product.id), ...extra };
    return pageOrFragment(c, () => MetricLibrary(props), () => MetricsPage({ ...props, header: pageHeader(deps, c, product) }), status);
  };

  r.get("/products/:productId/metrics", ...member, (c) => render(c));

  r.post("/products/:productId/metrics", ...member, async (c) => {
    const form = await formFields(c, "name", "description", "query");
    const product = c.get("product");
    const made = tryField(() => {
      let query: unknown;
      try {
        query = JSON.parse(form.query || "{}");
      } catch {
        throw badRequest("invalid_query", "The query is not valid JSON", "query");
      }
      return createDefinition(deps.db, product.id, { name: form.name, description: form.description, query }, { now: deps.clock.now(), userId: c.get("user")!.id, timezone: product.timezone });
    });
    if (!made.ok) return render(c, { values: form, errors: formFieldsOf(made.errors) }, 422);
    if (!isHtmx(c)) return backTo(c, productUrl(product.id, "metrics"));
    return render(c, { notice: `Saved “${made.value.name}”.` });
  });

  r.post("/products/:productId/metrics/:name/delete", ...member, (c) => {
    const product = c.get("product");
    const name = c.req.param("name");
    deleteDefinition(deps.db, product.id, name);
    if (!isHtmx(c)) return backTo(c, productUrl(product.id, "metrics"));
    return render(c, { notice: `Deleted “${name}”.` });
  });

  return r;
}

/** The domain names fields inside the query (`query.aggregationField`); the form has one query box. */
function formFieldsOf(errors: Record<string, string>): FormErrors {
  const out: FormErrors = {};
  for (const [field, message] of Object.entries(errors)) {
    const key = field.startsWith("query") || !["name", "description"].includes(field) ? "query" : field;
    out[key] ??= field.startsWith("query.") ? `${field.slice(6)}: ${message}` : message;
  }
  return out;
}
