import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { requireUser } from "../auth/middleware";
import { canUseDashboards, productAccess, requirePermission } from "../products/access";
import { sendPage } from "../http/render";
import { AppError, badRequest } from "../lib/errors";
import { pageHeader } from "../products/page-header";
import { productUrl } from "../products/urls";
import { queryEvents, type EventsPage } from "../query/events/list";
import { resolveFilter } from "../query/events/parse";
import { EventDetailPage, ExplorerPage, type ExplorerFilters } from "../../views/pages/explorer/explorer-page";
import { eventSchemas, getEvent } from "./explorer";
import { eventStream } from "./stream";

/** The event explorer pages and their live stream, for the product's members. */
const RANGES = new Set(["1h", "24h", "7d", "30d", "90d"]);
const PAGE = 50;

export function explorerRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps), requirePermission(canUseDashboards, "The explorer is for the product's members.")] as const;

  const filtersOf = (c: Context<AppEnv>): ExplorerFilters => {
    const q = (k: string) => (c.req.query(k) ?? "").trim();
    const range = q("range") || "7d";
    return { namespace: q("namespace"), event: q("event"), property: q("property"), value: q("value"), range: RANGES.has(range) ? range : "7d" };
  };
  const filterBody = (f: ExplorerFilters, timeRange: unknown) => ({
    timeRange,
    ...(f.namespace ? { namespace: f.namespace } : {}),
    ...(f.event ? { event: f.event } : {}),
    ...(f.property ? { properties: { [f.property]: f.value } } : {}),
  });

  r.get("/products/:productId/explorer", ...member, (c) => {
    const product = c.get("product");
    const f = filtersOf(c);
    const offset = Math.max(0, Math.floor(Number(c.req.query("offset") ?? 0)) || 0);
    const asOf = c.req.query("asOf");
    let page: EventsPage = { events: [], total: 0, limit: PAGE, offset, asOf: "0" };
    let error: string | undefined;
    try {
      page = queryEvents(deps.reader, product, { filter: filterBody(f, f.range), limit: PAGE, offset, ...(asOf && /^\d+$/.test(asOf) ? { asOf } : {}) }, deps.clock.now());
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      error = `${err.field ? `${err.field}: ` : ""}${err.message}`;
    }
    const stream = `${productUrl(product.id, "explorer", "stream")}?${new URLSearchParams({ namespace: f.namespace, event: f.event, property: f.property, value: f.value })}`;
    return sendPage(c, ExplorerPage({ header: pageHeader(deps, c, product), product, filters: f, page, schemas: eventSchemas(deps.reader, product.id), streamUrl: stream, error }));
  });

  // `?seq=`: an event is named by its stored sequence number (client ids are optional and free-form).
  r.get("/products/:productId/explorer/event", ...member, (c) => {
    const product = c.get("product");
    const raw = c.req.query("seq") ?? "";
    if (!/^\d{1,15}$/.test(raw)) throw badRequest("invalid_query", "seq is the number of a stored event", "seq");
    const seq = Number(raw);
    return sendPage(c, EventDetailPage({ header: pageHeader(deps, c, product), product, event: getEvent(deps.reader, product.id, seq) }));
  });

  r.get("/products/:productId/explorer/stream", ...member, (c) => {
    const product = c.get("product");
    const f = filtersOf(c);
    // Any event time: what is stored now is what the stream shows, whatever timestamp it carries.
    const filter = () => resolveFilter(filterBody(f, { start: "1970-01-01T00:00:00Z", end: new Date(deps.clock.now() + 2 * 86_400_000).toISOString() }) as never, "UTC", deps.clock.now(), "filter");
    filter(); // a bad filter is a 400 now, not a dead stream
    const last = Number(c.req.header("Last-Event-ID"));
    const body = eventStream(deps, product.id, filter, { signal: c.req.raw.signal, lastEventId: Number.isSafeInteger(last) && last > 0 ? last : null });
    return new Response(body, { headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" } });
  });

  return r;
}
