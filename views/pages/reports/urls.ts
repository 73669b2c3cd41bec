import { wallAt } from "../../../src/lib/time/calendar";
import { dashboardUrl } from "../../../src/products/urls";

/** What every reports view needs to know about where it is. */
export type ReportsContext = {
  product: { id: string; name: string };
  dashboard: { id: string; name: string };
  timezone: string;
};

export const reportsBase = (ctx: ReportsContext) => dashboardUrl(ctx.product.id, ctx.dashboard.id, "reports");

export function reportUrls(ctx: ReportsContext, reportId: string) {
  const self = `${reportsBase(ctx)}/${reportId}`;
  return { self, edit: `${self}/edit`, test: `${self}/test`, pause: `${self}/pause`, resume: `${self}/resume`, remove: `${self}/delete` };
}

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Mon 16 Mar 2026, 09:00" on the product's clock. */
export function formatLocal(ms: number, zone: string): string {
  const w = wallAt(zone, ms);
  const weekday = new Date(Date.UTC(w.y, w.mo - 1, w.d)).getUTCDay() || 7;
  return `${DAYS[weekday - 1]} ${w.d} ${MONTHS[w.mo - 1]} ${w.y}, ${String(w.h).padStart(2, "0")}:${String(w.mi).padStart(2, "0")}`;
}
