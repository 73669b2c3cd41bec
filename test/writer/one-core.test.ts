import { expect, test } from "bun:test";
import { join } from "node:path";
import { createWriteQueue } from "../../src/writer/queue";
import { createLogger } from "../../src/lib/log";
import { systemClock } from "../../src/lib/clock";
import type { WebHit } from "../../src/writer/batch";
import { createTestDeps } from "../helpers/deps";
import { makeProductWithKeys } from "../helpers/factories";

const hit = (i: number, tsMs: number): WebHit => ({
  tsMs, visitorId: 1000 + (i % 5), persistedId: null, name: i % 10 === 9 ? "signup" : "pageview", hostname: "example.com", pathname: `/page/${i}`,
  source: i % 2 ? "Google" : null, referrer: i % 2 ? "google.com" : null, utmSource: null, utmMedium: null, utmCampaign: null, utmContent: null, utmTerm: null,
  clickIds: null, country: "DE", region: null, device: "Desktop", browser: "Chrome", os: "Mac", props: i % 10 === 9 ? { plan: `p${i}` } : null,
  engagedMs: null, scrollDepth: null, revenue: null, interactive: true,
});

// The write queue as it runs on one core (one message in flight, writes gathered while the
// writer is busy) must answer every write once it is committed, like the pipelined one.
for (const oneCore of [true, false]) {
  test(`${oneCore ? "one core" : "several cores"}: concurrent and lone page views are all committed, each raw hit as sent, then answered`, async () => {
    const { deps, dataDir, close } = await createTestDeps();
    const queue = createWriteQueue({
      init: { dbPath: join(dataDir, "litekpi.db"), sync: "full", maxSeriesPerProduct: 100, logLevel: "silent" },
      log: createLogger("silent"),
      clock: systemClock,
      onFatal: () => {},
      oneCore,
    });
    try {
      const { product } = await makeProductWithKeys(deps);
      const t0 = Date.now() - 60_000;
      // 100 at once (what 100 connections send), then a lone client, one after the other.
      const burst = await Promise.all(Array.from({ length: 100 }, (_, i) => queue.submitWeb(product.id, [hit(i, t0 + i)], [])));
      expect(burst.every((r) => r.accepted === 1)).toBe(true);
      for (let i = 100; i < 103; i++) expect(await queue.submitWeb(product.id, [hit(i, t0 + i)], [])).toEqual({ accepted: 1, pageviews: 1 });
      // A burst and an op together: the op is answered after the burst's writes are committed.
      const again = Array.from({ length: 20 }, (_, i) => queue.submitWeb(product.id, [hit(103 + i, t0 + 103 + i)], []));
      await queue.flushNow();
      const rows = deps.db.$client.query("SELECT name, pathname, ts_ms, props FROM web_events WHERE product_id = ? ORDER BY seq").all(product.id) as { name: string; pathname: string; ts_ms: number; props: string | null }[];
      expect(rows).toEqual(Array.from({ length: 123 }, (_, i) => ({ name: i % 10 === 9 ? "signup" : "pageview", pathname: `/page/${i}`, ts_ms: t0 + i, props: i % 10 === 9 ? JSON.stringify({ plan: `p${i}` }) : null })));
      expect((await Promise.all(again)).every((r) => r.accepted === 1)).toBe(true);
      await queue.foldWeb();
      const pageviews = deps.db.$client.query("SELECT sum(pageviews) AS n FROM web_agg_day WHERE product_id = ? AND dim = ''").get(product.id) as { n: number };
      expect(pageviews.n).toBe(rows.filter((r) => r.name === "pageview").length);
    } finally {
      await queue.close();
      await close();
    }
  });
}
