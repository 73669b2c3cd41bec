import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { sendPage } from "../http/render";
import { requireUser } from "../auth/middleware";
import { canUseDashboards, productAccess } from "../products/access";
import { pageHeader } from "../products/page-header";
import { formErrorsOf } from "../http/forms";
import { badRequest } from "../lib/errors";
import { createGoal, deleteGoal, listGoals, UI_GOAL_LIMIT } from "../goals/goals";
import { createFunnel, deleteFunnel, getFunnel, listFunnels } from "./saved";
import { runFunnel } from "./funnel";
import { resolvePeriods } from "../web/dashboard/periods";
import { FunnelsPage, MAX_FORM_STEPS, funnelsUrl, type FunnelFormValues, type GoalFormValues } from "../../views/pages/funnels/funnels-page";
import { FUNNEL_RANGES, FunnelView } from "../../views/pages/funnels/funnel-view";

/**
 * The "Goals & funnels" pages of a product. Every member may define goals and funnels (they are
 * analysis, like dashboards); requireUser → productAccess is THE tenant check.
 */
export function funnelPageRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps)] as const;
  const P = "/products/:productId/funnels";

  const page = (c: Context<AppEnv>, forms: Pick<Parameters<typeof FunnelsPage>[0], "goalForm" | "funnelForm"> = {}, status = 200) => {
    const product = c.get("product");
    const body = FunnelsPage({
      header: pageHeader(deps, c, product),
      product: { id: product.id, name: product.name },
      goals: listGoals(deps.db, product.id),
      funnels: listFunnels(deps.db, product.id),
      canEdit: canUseDashboards(c.get("role")),
      ...forms,
    });
    return sendPage(c, body, status);
  };

  r.get(P, ...member, (c) => page(c));

  r.post(`${P}/goals`, ...member, async (c) => {
    const form = await c.req.parseBody();
    const values: GoalFormValues = { name: str(form.name), kind: str(form.kind) === "event" ? "event" : "page", value: str(form.value).trim(), currency: str(form.currency).trim().toUpperCase() };
    const input: Record<string, unknown> = { name: values.name, [values.kind]: values.value };
    if (values.currency) input.currency = values.currency;
    try {
      createGoal(deps.db, c.get("product").id, input, deps.clock.now(), { limit: UI_GOAL_LIMIT });
    } catch (err) {
      const errors = formErrorsOf(err);
      if (!errors) throw err;
      return page(c, { goalForm: { values, errors } }, 422);
    }
    return c.redirect(funnelsUrl(c.get("product").id), 303);
  });

  r.post(`${P}/goals/:goalId/delete`, ...member, (c) => {
    deleteGoal(deps.db, c.get("product").id, c.req.param("goalId")!);
    return c.redirect(funnelsUrl(c.get("product").id), 303);
  });

  r.post(P, ...member, async (c) => {
    const form = await c.req.parseBody();
    const values: FunnelFormValues = {
      name: str(form.name),
      window: str(form.window) || "7d",
      by: ["visitor", "user"].includes(str(form.by)) ? str(form.by) : "",
      steps: Array.from({ length: MAX_FORM_STEPS }, (_, i) => ({ kind: str(form[`step_kind_${i + 1}`]) || "event", value: str(form[`step_value_${i + 1}`]).trim() })),
    };
    // Empty rows are skipped; the numbering of errors follows the steps that remain.
    const rowOf = values.steps.flatMap((s, i) => (s.value ? [i] : []));
    const steps = rowOf.map((i) => values.steps[i]!).map((s) => ({ [["event", "page", "goal"].includes(s.kind) ? s.kind : "event"]: s.value }));
    let id: string;
    try {
      if (steps.length < 2) throw badRequest("invalid_funnel", "Give at least 2 steps", "steps");
      id = createFunnel(deps.db, c.get("product").id, { name: values.name, steps, window: values.window, ...(values.by ? { by: values.by } : {}) }, deps.clock.now()).id;
    } catch (err) {
      const found = formErrorsOf(err);
      if (!found) throw err;
      // Back to the row the person typed it in: `steps.1.goal` of the filled steps → its form row.
      const errors = Object.fromEntries(Object.entries(found).map(([k, m]) => [k.replace(/^steps\.(\d+)/, (_, n) => `steps.${rowOf[Number(n)] ?? n}`), m]));
      return page(c, { funnelForm: { values, errors } }, 422);
    }
    return c.redirect(`${funnelsUrl(c.get("product").id)}/${id}`, 303);
  });

  r.get(`${P}/:funnelId`, ...member, (c) => {
    const product = c.get("product");
    const funnel = getFunnel(deps.db, product.id, c.req.param("funnelId")!);
    const asked = c.req.query("range") ?? "30d";
    const range = FUNNEL_RANGES.find(([r]) => r === asked)?.[0] ?? "30d";
    // "Last N days" as the web dashboard counts them: N local dates, today included.
    const dates = resolvePeriods({ kind: "preset", preset: range }, product.timezone, deps.clock.now()).current;
    const answer = runFunnel(deps.reader, product, { ...funnel.definition, date_range: dates, compare: "previous_period" }, deps.clock.now());
    return sendPage(c, FunnelView({ header: pageHeader(deps, c, product), product: { id: product.id, name: product.name }, funnel, answer, range, canEdit: canUseDashboards(c.get("role")) }));
  });

  r.post(`${P}/:funnelId/delete`, ...member, (c) => {
    deleteFunnel(deps.db, c.get("product").id, c.req.param("funnelId")!);
    return c.redirect(funnelsUrl(c.get("product").id), 303);
  });

  return r;
}

const str = (v: unknown) => (typeof v === "string" ? v : "");
