/**
 * R17, in a child pinned to the server core: a 4-step funnel over 30 days of product events
 * (DESIGN.md "Goals and funnels"), on a fresh file built here in bulk (the same rows ingestion
 * stores: events with user_id and properties), timed through runFunnel — the function
 * `POST /api/v1/insights/funnel` answers with. Env: DIR (a temp directory), EVENTS (how many).
 */
import { join } from "node:path";
import { openDatabase } from "../../src/db/connection";
import { migrate } from "../../src/db/migrate";
import { runFunnel } from "../../src/funnels/funnel";
import { serveWorker } from "../lib/rpc";

const N = Number(process.env.EVENTS);
const db = openDatabase(join(process.env.DIR!, "funnel.db"));
await migrate(db.$client);
const productId = "bench-funnel";
const from = Date.UTC(2025, 8, 1);
const DAY = 86_400_000;
// One user in 10 per day of the month; each does view → pricing → signup → purchase with
// falling odds, spread over hours, plus noise events. Deterministic (no Math.random).
const names = ["view", "pricing", "signup", "purchase", "noise"];
const insert = db.$client.prepare("INSERT INTO events (product_id, ts_ms, name, user_id, properties) VALUES (?, ?, ?, ?, ?)");
const users = Math.max(1, Math.floor(N / 8));
let written = 0;
const t0 = performance.now();
db.$client.run("BEGIN");
for (let i = 0; written < N; i++) {
  const user = `u${i % users}`;
  const h = Math.imul(i, 2654435761) >>> 0;
  const step = h % 5 === 4 ? 4 : Math.min(3, (h >>> 3) % 7 > 3 ? 0 : (h >>> 3) % 4);
  const ts = from + ((h >>> 5) % (30 * DAY));
  insert.run(productId, ts, names[step]!, user, step === 3 ? '{"plan":"pro"}' : null);
  if (++written % 100_000 === 0) {
    db.$client.run("COMMIT");
    db.$client.run("BEGIN");
  }
}
db.$client.run("COMMIT");
const loadSeconds = (performance.now() - t0) / 1000;

const product = { id: productId, timezone: "UTC" };
const now = from + 30 * DAY;
const body = {
  steps: [{ event: "view" }, { event: "pricing" }, { event: "signup" }, { event: "purchase", properties: { plan: "pro" } }],
  by: "user",
  window: "7d",
  date_range: ["2025-09-01", "2025-09-30"],
};

await serveWorker((msg: { runs: number }) => {
  const times: number[] = [];
  let steps: number[] = [];
  for (let r = 0; r < msg.runs; r++) {
    const t = performance.now();
    steps = runFunnel(db, product, body, now).steps.map((s) => s.visitors);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[times.length >> 1]!, steps, loadSeconds };
});
