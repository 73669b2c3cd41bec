/**
 * A naive reference for the events planner: every event read in plain JS, bucketed with Intl
 * (not the engine's calendar code), aggregated with loops. Written apart from src/ so a shared
 * mistake cannot hide.
 */
export type RefEvent = {
  name: string;
  namespace: string | null;
  tsMs: number;
  properties: Record<string, unknown>;
  context: Record<string, unknown>;
};
export type RefQuery = {
  from: number;
  to: number;
  zone: string;
  aggregation: "count" | "sum" | "avg" | "min" | "max" | "distinct";
  field?: string;
  events?: string[];
  namespaces?: string[];
  properties?: Record<string, unknown[]>;
  groupBy: string[];
};

const COLUMNS = new Set(["user_id", "session_id"]);
const CONTEXT = new Set(["org_id", "service", "source", "version", "request_id"]);

export function refField(e: RefEvent, name: string): unknown {
  if (name === "event") return e.name;
  if (name === "namespace") return e.namespace ?? undefined;
  if (COLUMNS.has(name)) {
    const v = e.context[name];
    return typeof v === "string" ? v : undefined;
  }
  let doc = CONTEXT.has(name) ? e.context : e.properties;
  let key = name;
  if (name.startsWith("properties.")) (doc = e.properties), (key = name.slice(11));
  else if (name.startsWith("context.")) (doc = e.context), (key = name.slice(8));
  const v = Object.hasOwn(doc, key) ? doc[key] : undefined;
  return v === null ? undefined : v;
}

const parts = (zone: string, ms: number) => {
  const f = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  const o: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) o[p.type] = p.value;
  return o;
};

function offsetText(zone: string, ms: number): string {
  const name = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(new Date(ms)).find((p) => p.type === "timeZoneName")!.value;
  return name === "GMT" ? "+00:00" : name.slice(3);
}

/** The bucket key of an event: its local date, the Monday / first of its week / month, or its local hour's start. */
export function refBucket(zone: string, unit: string, ms: number): string {
  const p = parts(zone, ms);
  const date = `${p.year}-${p.month}-${p.day}`;
  if (unit === "day") return date;
  if (unit === "month") return `${p.year}-${p.month}-01`;
  if (unit === "week") {
    const d = new Date(`${date}T00:00:00Z`);
    const back = (d.getUTCDay() + 6) % 7;
    return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10);
  }
  const start = unit === "hour" ? ms - (Number(p.minute) * 60 + Number(p.second)) * 1000 - (((ms % 1000) + 1000) % 1000) : ms - Number(p.second) * 1000 - (((ms % 1000) + 1000) % 1000);
  const s = parts(zone, start);
  return `${s.year}-${s.month}-${s.day}T${s.hour}:${s.minute}:${s.second}${offsetText(zone, start)}`;
}

const TIME = new Set(["minute", "hour", "day", "week", "month"]);
const keyPart = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

/** key → value, for the groups that have at least one matching event. */
export function refMetric(events: RefEvent[], q: RefQuery): Map<string, number | null> {
  const groups = new Map<string, RefEvent[]>();
  for (const e of events) {
    if (e.tsMs < q.from || e.tsMs >= q.to) continue;
    if (q.events && !q.events.includes(e.name)) continue;
    if (q.namespaces && (e.namespace === null || !q.namespaces.includes(e.namespace))) continue;
    let ok = true;
    for (const [f, values] of Object.entries(q.properties ?? {})) {
      const v = refField(e, f);
      if (v === undefined || !values.some((x) => JSON.stringify(x) === JSON.stringify(v))) ok = false;
    }
    if (!ok) continue;
    const key = q.groupBy.map((g) => (TIME.has(g) ? refBucket(q.zone, g, e.tsMs) : keyPart(refField(e, g)))).join("|");
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(e);
  }
  if (!q.groupBy.length && !groups.has("")) groups.set("", []);
  const out = new Map<string, number | null>();
  for (const [key, list] of groups) out.set(key, aggregate(list, q));
  return out;
}

function aggregate(list: RefEvent[], q: RefQuery): number | null {
  const values = q.field ? list.map((e) => refField(e, q.field!)).filter((v) => v !== undefined) : list;
  if (q.aggregation === "count") return values.length;
  if (q.aggregation === "distinct") return new Set(values.map((v) => JSON.stringify(v))).size;
  const nums = values.filter((v): v is number => typeof v === "number");
  if (q.aggregation === "sum") return nums.reduce((a, b) => a + b, 0);
  if (!nums.length) return null;
  if (q.aggregation === "avg") return nums.reduce((a, b) => a + b, 0) / nums.length;
  return q.aggregation === "min" ? Math.min(...nums) : Math.max(...nums);
}

/** Equal within the float tolerance of DESIGN.md: count/min/max exact, sum/avg 1e-9 relative. */
export function close(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}
