import type { Acc } from "./acc";
import type { Metric, RevenueValue } from "./types";

/**
 * Metrics from a row's accumulator, rounded as Plausible rounds them: bounce_rate a whole percent,
 * visit_duration whole seconds, views_per_visit and conversion_rate two decimals, scroll_depth a
 * whole percent, time_on_page whole seconds; ratios over nothing are 0 (scroll_depth and
 * time_on_page: null, as Plausible answers for pages without engagement).
 */
export const round2 = (x: number) => Math.round(x * 100) / 100;

export function metricValue(m: Metric, a: Acc, ctx: { totalVisitors: number; revenue: RevenueAnswer }): number | null | RevenueValue {
  switch (m) {
    case "visitors":
      return a.visitors;
    case "visits":
      return a.visits;
    case "pageviews":
      return a.pageviews;
    case "events":
      return a.pageviews + a.customs;
    case "bounce_rate":
      return a.sessVisits ? Math.round((100 * a.bounces) / a.sessVisits) : 0;
    case "visit_duration":
      return a.sessVisits ? Math.round(a.durationMs / 1000 / a.sessVisits) : 0;
    case "views_per_visit":
      return a.visits ? round2(a.visitPageviews / a.visits) : 0;
    case "conversion_rate":
      return ctx.totalVisitors ? round2((100 * a.visitors) / ctx.totalVisitors) : 0;
    case "scroll_depth":
      return a.scrollN ? Math.round(a.scrollSum / a.scrollN) : null;
    case "time_on_page":
      return a.engagedVisitors ? Math.round(a.engagedMs / 1000 / a.engagedVisitors) : null;
    case "total_revenue":
      return ctx.revenue.total;
    case "average_revenue":
      return ctx.revenue.average;
    case "revenue":
      return ctx.revenue.revenue;
    case "purchases":
      return ctx.revenue.purchases;
    case "rpv":
      return a.visitors ? round2(ctx.revenue.revenue / a.visitors) : 0;
  }
}

export type RevenueAnswer = { total: RevenueValue | null; average: RevenueValue | null; revenue: number; purchases: number };
