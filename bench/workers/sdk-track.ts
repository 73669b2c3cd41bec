/**
 * R22, TypeScript: the cost of `track()` on the caller's thread, µs per call, over N calls with
 * realistic properties against a live server (the sends a full batch starts synchronously are
 * included, amortised; the network wait is not, it happens off the caller's path).
 * Prints one JSON line: { us_per_call }.
 */
import { LiteKPI } from "../../sdks/js/src/index";

const n = Number(process.env.N ?? 100_000);
const c = new LiteKPI({ apiKey: process.env.LITEKPI_API_KEY!, endpoint: process.env.LITEKPI_ENDPOINT!, maxQueueSize: n + 1000 });
c.setUser("user_123");
c.setContext({ service: "bench" });
const props = { plan: "pro", amount: 49.5, feature: "export", ok: true };
for (let i = 0; i < 2000; i++) c.track("warmup", props); // JIT warm-up
const t0 = performance.now();
for (let i = 0; i < n; i++) c.track("billing", "usage_recorded", props);
const us = ((performance.now() - t0) * 1000) / n;
await c.close();
console.log(JSON.stringify({ us_per_call: us, sent: c.stats().sent }));
