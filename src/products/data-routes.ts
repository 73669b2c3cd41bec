import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { requireUser } from "../auth/middleware";
import { canManageProduct, canViewSettings, productAccess, requirePermission } from "./access";
import { formFields, formErrorsOf } from "../http/forms";
import { pageOrFragment } from "../http/render";
import { AppError } from "../lib/errors";
import { pageHeader } from "./page-header";
import { SettingsShell } from "../../views/pages/products/settings-shell";
import { DataSettings, type DataSettingsProps } from "../../views/pages/products/settings-data";
import { listRetention, parseDays, setRetention } from "../ops/retention";
import { getUsage, parseLimit, setUsageLimit } from "../ops/usage";
import { erasePerson, exportPerson, listErasures } from "../ops/erasure";

/**
 * The Data tab of a product's settings: retention, usage and limit, erasure of a person. Every
 * member sees it; owners change it. Every route runs requireUser → productAccess first.
 */
export function dataRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps), requirePermission(canViewSettings, "Settings are for the product's members.")] as const;
  const owner = [requireUser(), productAccess(deps), requirePermission(canManageProduct, "Only the product's owner can change data settings.")] as const;

  const render = (c: Context<AppEnv>, extra: Partial<DataSettingsProps> = {}, status = 200) => {
    const product = c.get("product");
    const props: DataSettingsProps = {
      product,
      canEdit: canManageProduct(c.get("role")),
      rules: listRetention(deps.db, product.id),
      usage: getUsage(deps.db, product.id, deps.clock.now()),
      erasures: listErasures(deps.db, product.id),
      ...extra,
    };
    return pageOrFragment(
      c,
      () => DataSettings(props),
      () => SettingsShell({ header: pageHeader(deps, c, product), product, active: "data", children: DataSettings(props) }),
      status,
    );
  };

  /** Runs a change; a field error shows the form again (422) beside its input. */
  const attempt = async (c: Context<AppEnv>, values: DataSettingsProps["values"], change: () => Promise<DataSettingsProps["notice"]> | DataSettingsProps["notice"]) => {
    try {
      return render(c, { notice: await change() });
    } catch (err) {
      const errors = formErrorsOf(err);
      if (!errors) throw err;
      return render(c, { values, errors }, 422);
    }
  };

  r.get("/products/:productId/settings/data", ...member, (c) => render(c));

  r.post("/products/:productId/settings/data/retention", ...owner, async (c) => {
    const form = await formFields(c, "days", "namespace");
    return attempt(c, form, () => {
      const days = parseDays(form.days);
      setRetention(deps.db, c.get("product").id, { days, namespace: form.namespace }, deps.clock.now());
      const what = form.namespace.trim() ? `Events in ${form.namespace.trim()}` : "Raw points and events";
      return { section: "retention", message: days === null ? `${what}: kept for ever.` : `${what}: kept ${days} days.` };
    });
  });

  r.post("/products/:productId/settings/data/limit", ...owner, async (c) => {
    const form = await formFields(c, "limit", "mode");
    return attempt(c, form, () => {
      const usage = setUsageLimit({ db: deps.db, gate: deps.limits.ingest.quota }, c.get("product").id, { limit: parseLimit(form.limit), mode: form.mode }, deps.clock.now());
      return { section: "usage", message: usage.limit === null ? "No monthly limit." : "Limit saved." };
    });
  });

  r.post("/products/:productId/settings/data/erase", ...owner, async (c) => {
    const form = await formFields(c, "person");
    const user = c.get("user")!;
    return attempt(c, {}, async () => {
      try {
        const { deleted } = await erasePerson(deps, c.get("product").id, form.person, { kind: "user", id: user.id });
        deps.log.info("person erased", { productId: c.get("product").id, by: { kind: "user", id: user.id }, rows: deleted });
        return { section: "erase", message: `Erased ${deleted} event${deleted === 1 ? "" : "s"}.` };
      } catch (err) {
        if (err instanceof AppError && err.status === 404) return { section: "erase", message: "No events of that person: nothing was erased.", tone: "warn" };
        if (err instanceof AppError && err.status === 400) throw new AppError(400, err.code, err.message, { field: "person" });
        throw err;
      }
    });
  });

  // The export before an erasure, as a download. Without a person it is a 400, not a 404.
  r.get("/products/:productId/settings/data/export", ...owner, (c) => {
    const person = c.req.query("person") ?? "";
    const events = exportPerson(deps.db, c.get("product").id, person);
    return c.json({ person, count: events.length, events }, 200, {
      "Cache-Control": "no-store",
      "Content-Disposition": `attachment; filename="person-events.json"`,
    });
  });

  return r;
}
