import { join } from "node:path";
import { openDatabase, closeDatabase } from "../../src/db/connection";
import { migrate } from "../../src/db/migrate";
import { createUser } from "../../src/auth/users";
import { createProduct } from "../../src/products/products";
import { addDomain, getWebSettings, saveWebSettings } from "../../src/web/sites";
import { createGoal } from "../../src/goals/goals";
import { createFlusher } from "../../src/writer/flush";
import type { WebHit } from "../../src/writer/batch";
import type { RevenueEvent } from "../../src/revenue/types";
import { runWebQuery } from "../../src/web/query/run";
import { CARDS, cardColumns } from "../../src/web/dashboard/cards";
import { cardQueries, CARD_ROWS } from "../../src/web/dashboard/queries";
import { resolvePeriods } from "../../src/web/dashboard/periods";
import { parseWebView } from "../../src/web/dashboard/view";
import { percentile } from "../lib/stats";
import { tempDir } from "../lib/procs";
import type { Recorder } from "../lib/report";

/**
 * The web dashboard of a product that takes payments (issue 15): every card's queries with the
 * revenue columns (revenue, RPV, and the conversion rate on the revenue goal, which reads raw
 * rows) over 30 days of N visits in attribution mode, one in 50 of them paying a few days
 * later. In-process through runWebQuery (server time, no HTTP); data written with the writer's
 * own flush code, as R15's. Reported, no goal yet (the lead sets one on a quiet machine).
 */
const DOMAIN = "bench-revenue.example";
const DAY = 86_400_000;
const SOURCES: [string | null, string | null][] = [[null, null], ["Google", "google.com"], ["Twitter", "t.co/AbC123"], ["newsletter", null], ["Hacker News", "news.ycombinator.com/item"]];
const COUNTRIES = ["US", "DE", "GB", "FR", "IN", null];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export async function writeRevenueData(visits: number, end: number) {
  const dir = tempDir("revenue-bench");
  const dbPath = join(dir, "litekpi.db");
  const db = openDatabase(dbPath, { sync: "normal" });
  await migrate(db.$client);
  const user = await createUser(db, { email: "revenue@example.com", password: "benchmark-password", verified: true }, Date.now());
  const product = createProduct(db, { ownerId: user.id, name: "bench revenue", timezone: "UTC" }, Date.now());
  addDomain(db, product.id, DOMAIN, Date.now());
  saveWebSettings(db, product.id, { ...getWebSettings(db, product.id), mode: "attribution" }, Date.now());
  createGoal(db, product.id, { name: "Purchase", event: "purchase", currency: "USD" }, Date.now());
  db.$client.exec("PRAGMA synchronous = OFF"); // setup data, not the measurement
  const flusher = createFlusher(db.$client, { maxSeriesPerProduct: 1000 });
  const rand = rng(15);
  const start = end - 30 * DAY;
  const hits: WebHit[] = [];
  const payments: RevenueEvent[] = [];
  for (let i = 0; i < visits; i++) {
    const at = Math.floor(start + (i / visits) * (end - start - 4 * DAY));
    const [source, referrer] = SOURCES[Math.floor(rand() * SOURCES.length)]!;
    const persistedId = `bench-visitor-${i}`;
    hits.push({
      visitorId: i, persistedId, hostname: DOMAIN, pathname: `/page/${i % 50}`, source, referrer, utmSource: source === "newsletter" ? "newsletter" : null, utmMedium: null, utmCampaign: null, utmContent: null,
      utmTerm: null, clickIds: null, country: COUNTRIES[Math.floor(rand() * COUNTRIES.length)]!, region: null, device: "Desktop", browser: "Chrome", os: "Mac", props: null, engagedMs: null,
      scrollDepth: null, revenue: null, interactive: true, tsMs: at, name: "pageview",
    });
    if (rand() < 0.02) {
      const paidAt = at + Math.floor(rand() * 3 * DAY);
      payments.push({ providerEventId: `bench:${i}`, kind: "purchase", amountMinor: 900 + Math.floor(rand() * 10_000), refundMode: "delta", currency: "USD", paidAt, customerId: `cus_${i}`, email: null, plan: null, orderId: `o_${i}`, subscription: null, visitorId: persistedId });
    }
  }
  for (let k = 0; k < hits.length; k += 50_000) {
    const out = flusher.flush([{ seq: 1, batch: { kind: "web", productId: product.id, now: Date.now(), apiKeyId: null, idempotency: null, hits: hits.slice(k, k + 50_000), drops: [] } }]);
    if (!out[0]!.ok) throw new Error(`revenue bench: web flush failed: ${JSON.stringify(out[0])}`);
  }
  payments.sort((a, b) => a.paidAt - b.paidAt);
  const out = flusher.flush([{ seq: 1, batch: { kind: "revenue", productId: product.id, now: Date.now(), apiKeyId: null, idempotency: null, provider: "stripe", events: payments } }]);
  if (!out[0]!.ok) throw new Error(`revenue bench: revenue flush failed: ${JSON.stringify(out[0])}`);
  closeDatabase(db);
  return { dbPath, productId: product.id, payments: payments.length };
}

export async function revenueRound(rec: Recorder, o: { visits: number; runs: number }) {
  const end = Date.UTC(2026, 5, 30);
  const data = await writeRevenueData(o.visits, end);
  const reader = openDatabase(data.dbPath, { readonly: true });
  try {
    const now = end + 12 * 3_600_000;
    const deps = { reader, clock: { now: () => now } };
    const view = parseWebView(new URLSearchParams("range=30d"));
    const periods = resolvePeriods(view.range, "UTC", now);
    const revenue = { enabled: true, goal: "purchase" };
    const queries = CARDS.flatMap((card) => card.tabs.map((tab) => cardQueries(cardColumns(card, tab, revenue, false), tab, view, periods, CARD_ROWS, revenue.goal))).flatMap((q) => (q.goal ? [q.main, q.goal] : [q.main]));
    const totals: number[] = [];
    for (let run = 0; run < o.runs + 1; run++) {
      const t = performance.now();
      for (const q of queries) runWebQuery(deps, data.productId, { site_id: DOMAIN, ...q });
      if (run > 0) totals.push(performance.now() - t);
    }
    rec.add("revenue.cards.p95_ms", percentile(totals, 95), "ms", `web dashboard, every card and tab with revenue columns: ${queries.length} queries, 30 days, ${o.visits.toLocaleString("en")} visits, ${data.payments.toLocaleString("en")} purchases`, `in-process runWebQuery; ${o.runs} loads`);
  } finally {
    reader.$client.close();
  }
}
