import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { openDatabase, closeDatabase, type Db } from "../../src/db/connection";
import { migrate } from "../../src/db/migrate";
import { createUser } from "../../src/auth/users";
import { createProduct } from "../../src/products/products";
import { createDashboard, deleteDashboard, getDashboard, listDashboards, moveDashboard, renameDashboard, setDashboardRange } from "../../src/dashboards/dashboards";
import { addWidget, listWidgets, moveWidget, reorderWidgets } from "../../src/dashboards/widgets";
import { customRangeFromDates, datesToInstants, describeRange, effectiveRange, instantsToDates } from "../../src/dashboards/range";
import { readWidgetForm, widgetInputFromForm } from "../../src/dashboards/widget-form";
import { widgetQuery } from "../../src/dashboards/widget-query";
import { previousPeriodQuery } from "../../src/dashboards/kinds/number";
import { tableData } from "../../src/dashboards/kinds/table";
import { AppError } from "../../src/lib/errors";
import { tempDir } from "../helpers/server";

/** The dashboards' domain on a real SQLite file: ordering, tenancy, ranges in zones, form parsing. */
describe("dashboards domain", () => {
  const dir = tempDir();
  let db: Db;
  let productId: string;
  let otherProductId: string;
  const now = Date.UTC(2026, 2, 10, 12);

  beforeAll(async () => {
    db = openDatabase(`${dir.path}/t.db`);
    await migrate(db.$client);
    const user = await createUser(db, { email: "d@example.com", verified: true }, now);
    productId = createProduct(db, { ownerId: user.id, name: "P" }, now).id;
    otherProductId = createProduct(db, { ownerId: user.id, name: "Q" }, now).id;
  });
  afterAll(() => {
    closeDatabase(db);
    dir.remove();
  });

  const config = { metric: "m", aggregation: "sum" as const, range: { kind: "last" as const, n: 7, unit: "d" as const }, filters: {}, groupBy: [], compare: true, size: "half" as const };

  test("dashboards: create appends, rename, move, range, delete; another product's id is not found", () => {
    const a = createDashboard(db, productId, { name: " A " }, now);
    const b = createDashboard(db, productId, { name: "B" }, now);
    expect(a.name).toBe("A");
    expect(listDashboards(db, productId).map((d) => d.name)).toEqual(["A", "B"]);
    expect(moveDashboard(db, productId, b.id, -1, now).map((d) => d.name)).toEqual(["B", "A"]);
    expect(moveDashboard(db, productId, b.id, -1, now).map((d) => d.name)).toEqual(["B", "A"]); // already first
    expect(renameDashboard(db, productId, a.id, { name: "Alpha" }, now).name).toBe("Alpha");
    expect(() => renameDashboard(db, productId, a.id, { name: "  " }, now)).toThrow("Name is required");
    expect(() => getDashboard(db, otherProductId, a.id)).toThrow(AppError);
    expect(() => renameDashboard(db, otherProductId, a.id, { name: "x" }, now)).toThrow("No such dashboard");
    expect(setDashboardRange(db, productId, a.id, "90d", now).range).toBe("90d");
    expect(() => setDashboardRange(db, productId, a.id, "5d", now)).toThrow("Pick a range");
    expect(() => setDashboardRange(db, productId, a.id, "custom:2026-03-02T00:00:00Z/2026-03-01T00:00:00Z", now)).toThrow("Pick a range");
    expect(setDashboardRange(db, productId, a.id, null, now).range).toBeNull();
    addWidget(db, productId, a.id, { kind: "number", title: "w", config }, now);
    expect(() => deleteDashboard(db, otherProductId, a.id)).toThrow("No such dashboard");
    deleteDashboard(db, productId, a.id);
    expect(listWidgets(db, productId, a.id)).toEqual([]); // cascaded
  });

  test("widgets: reorder keeps every widget exactly once whatever list arrives", () => {
    const d = createDashboard(db, productId, { name: "Order" }, now);
    const ids = ["a", "b", "c", "d", "e"].map((t) => addWidget(db, productId, d.id, { kind: "number", title: t, config }, now).id);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...ids), fc.string({ maxLength: 5 })), { maxLength: 12 }), (sent) => {
        const before = listWidgets(db, productId, d.id).map((w) => w.id);
        const after = reorderWidgets(db, productId, d.id, sent, now).map((w) => w.id);
        expect([...after].sort()).toEqual([...ids].sort());
        const named = [...new Set(sent)].filter((id) => ids.includes(id));
        expect(after.slice(0, named.length)).toEqual(named);
        expect(after.slice(named.length)).toEqual(before.filter((id) => !named.includes(id)));
      }),
      { numRuns: 60 },
    );
    const order = listWidgets(db, productId, d.id).map((w) => w.id);
    expect(moveWidget(db, productId, d.id, order[0]!, 1, now).map((w) => w.id)).toEqual([order[1]!, order[0]!, ...order.slice(2)]);
    expect(() => moveWidget(db, otherProductId, d.id, order[0]!, 1, now)).toThrow("No such widget");
  });

  test("custom ranges are whole local days in the product's zone, across DST", () => {
    // Berlin switches to summer time on 29 March 2026: that day has 23 hours.
    expect(datesToInstants("2026-03-29", "2026-03-29", "Europe/Berlin")).toEqual({ from: "2026-03-28T23:00:00Z", to: "2026-03-29T22:00:00Z" });
    expect(datesToInstants("2026-11-01", "2026-11-01", "America/New_York")).toEqual({ from: "2026-11-01T04:00:00Z", to: "2026-11-02T05:00:00Z" });
    expect(datesToInstants("2026-03-10", "2026-03-09", "UTC")).toBeNull();
    expect(datesToInstants("2026-02-30", "2026-03-01", "UTC")).toBeNull();
    expect(customRangeFromDates("2026-01-01", "2026-01-31", "Asia/Kolkata")).toBe("custom:2025-12-31T18:30:00Z/2026-01-31T18:30:00Z");
    const span = datesToInstants("2026-03-01", "2026-03-31", "Europe/Berlin")!;
    expect(instantsToDates(span.from, span.to, "Europe/Berlin")).toEqual({ fromDate: "2026-03-01", toDate: "2026-03-31" });
    expect(describeRange(span, "Europe/Berlin")).toBe("1 Mar 2026 – 31 Mar 2026");
    expect(describeRange({ range: "7d" }, "UTC")).toBe("Last 7 days");
    expect(describeRange({ range: "1mo" }, "UTC")).toBe("Last month");
  });

  test("the dashboard's range wins over the widget's; number widgets drop granularity and groupBy", () => {
    expect(effectiveRange(config.range, null)).toEqual({ range: "7d" });
    expect(effectiveRange(config.range, "12mo")).toEqual({ range: "12mo" });
    expect(effectiveRange(config.range, "custom:2026-01-01T00:00:00Z/2026-02-01T00:00:00Z")).toEqual({ from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" });
    const c = { ...config, granularity: "day" as const, groupBy: ["plan"], filters: { country: "US" } };
    expect(widgetQuery("number", c, { dashboardRange: null, timezone: "UTC" })).toEqual({ metric: "m", aggregation: "sum", range: "7d", timezone: "UTC", filters: { country: "US" } });
    expect(widgetQuery("line", c, { dashboardRange: "30d", timezone: "UTC" })).toMatchObject({ granularity: "day", groupBy: ["plan"], range: "30d" });
    const prev = previousPeriodQuery({ metric: "m", aggregation: "sum", range: "7d" }, { from: "2026-03-03T12:00:00.000+00:00", to: "2026-03-10T12:00:00.000+00:00" });
    expect(prev).toEqual({ metric: "m", aggregation: "sum", from: "2026-02-24T12:00:00Z", to: "2026-03-03T12:00:00Z" });
  });

  test("the form: '=' rows on one key mean one of, '≠' excludes, both on one key is an error", () => {
    const form = (rows: [string, string, string][], extra: Record<string, string> = {}) =>
      readWidgetForm({
        kind: "line",
        metric: "m",
        aggregation: "avg",
        granularity: "hour",
        range_mode: "last",
        range_n: "24",
        range_unit: "h",
        filter_key: rows.map((r) => r[0]),
        filter_op: rows.map((r) => r[1]),
        filter_value: rows.map((r) => r[2]),
        group_by: "plan, country",
        ...extra,
      });
    const ok = widgetInputFromForm(form([["country", "is", "US"], ["country", "is", "DE"], ["plan", "not", "free"], ["", "is", ""]]), "UTC");
    expect(ok.config.filters).toEqual({ country: ["US", "DE"], plan: { not: "free" } });
    expect(ok.config.groupBy).toEqual(["plan", "country"]);
    expect(ok.config.range).toEqual({ kind: "last", n: 24, unit: "h" });
    expect(ok.title).toBe("m · avg");
    const bad = (() => {
      try {
        widgetInputFromForm(form([["country", "is", "US"], ["country", "not", "DE"]], { group_by: "a,b,c", metric: "" }), "UTC");
      } catch (e) {
        return (e as AppError).extra.errors!.map((x) => x.field);
      }
    })();
    expect(bad).toEqual(expect.arrayContaining(["filters", "group_by", "metric"]));
  });

  test("tables sort on the server and page by 10", () => {
    const points = Array.from({ length: 25 }, (_, i) => ({ t: `2026-03-${String(i + 1).padStart(2, "0")}T00:00:00+00:00`, v: i % 7 === 0 ? null : i }));
    const result = { metric: "m", aggregation: "sum" as const, granularity: "day" as const, from: "", to: "", timezone: "UTC", series: [{ tags: {}, points }] };
    const byTime = tableData(result, [], 1, {});
    expect(byTime.rows[0]!.time).toBe("2026-03-25T00:00:00+00:00");
    expect(byTime.pages).toBe(3);
    const byValue = tableData(result, [], 3, { by: "value", dir: "asc" });
    expect(byValue.page).toBe(3);
    expect(byValue.rows.map((r) => r.value)).toEqual([19, 20, 22, 23, 24]);
    expect(tableData(result, [], 1, { by: "value", dir: "asc" }).rows.slice(0, 4).map((r) => r.value)).toEqual([null, null, null, null]);
    expect(tableData(result, [], 99, { by: "group" }).sort.by).toBe("time"); // no groups: falls back
  });
});
