/**
 * `bun run bench`: LiteKPI's performance as ratios measured in one run on one machine, side by
 * side with in-process ceilings, a bare Bun.serve, InfluxDB 1.x and VictoriaMetrics. Prints a
 * table (goals from bench/goals.json with PASS/FAIL, then absolute figures) and writes JSON lines
 * to bench/results/. See bench/README.md for what each row measures.
 */
import { existsSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { parseOptions, USAGE, type Phase } from "./lib/options";
import { vendor } from "../scripts/vendor";
import { pointsOf, toLineProtocol, toOurJson } from "./lib/points";
import { cleanup, freePort, installCleanupHandlers, pinning, pinnedToServerCore, pinSelfToLoadCore, spawnTracked, tempDir, waitForHttp } from "./lib/procs";
import { Recorder, renderTables } from "./lib/report";
import { Reference } from "./lib/reference";
import { REPO, startWorker } from "./lib/rpc";
import { startOurs, OUR_DURABILITY } from "./systems/ours";
import { startInfluxDB, startVictoriaMetrics, type Peer } from "./systems/peers";
import { encoded, httpIngester, ingestRound, workerIngester, type Ingester } from "./scenarios/ingest";
import { singleBodies, singleGenerator, singleRound } from "./scenarios/single";
import { checkPeerTotals, queryMatrix, queryRound } from "./scenarios/queries";
import { mixedRound, mixedSource } from "./scenarios/mixed";
import { backupRound, cyclingSource } from "./scenarios/backup";
import { exportRound } from "./scenarios/export";
import { storageRound } from "./scenarios/storage";
import { startupRound } from "./scenarios/startup";
import { extrasRound } from "./scenarios/extras";
import { createBenchDashboard, dashboardRound } from "./scenarios/dashboard";
import { funnelRound } from "./scenarios/funnel";
import { revenueRound } from "./scenarios/revenue";
import { influxClientRound, influxClientTargets } from "./scenarios/influx-client";
import { sdkRound } from "./scenarios/sdk";
import { webPhase } from "./scenarios/web";
import { loadChdb } from "./lib/chdb";
import { eventsRound } from "./scenarios/events";
import { alertsRound } from "./scenarios/alerts";
import { webhooksRound } from "./scenarios/webhooks";
import { enginesRound } from "./scenarios/engines";

const log = (s: string) => process.stderr.write(`${s}\n`);
const phase = (s: string) => log(`\n▸ ${s}  (${((performance.now() - T0) / 1000).toFixed(0)} s)`);
const T0 = performance.now();

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    log(`bench: ${err instanceof Error ? err.message : err}\n${USAGE}`);
    return 2;
  }
  installCleanupHandlers();
  pinSelfToLoadCore();
  vendor(); // fonts for the widget PNG, static files for pages (what `npm start` does first)
  // BENCH_GIT_REV names the commit when the tree is an export without .git (a clean copy of HEAD).
  const git = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: REPO, stderr: "ignore" }).stdout.toString().trim() || process.env.BENCH_GIT_REV || "unknown";
  const runs = (p: Phase) => !opts.only || opts.only.has(p);
  const rec = new Recorder({ profile: opts.profile, points: opts.points, rounds: opts.rounds, batch: opts.batch, concurrency: opts.concurrency, git, bun: Bun.version, cpu: cpus()[0]?.model, cores: availableParallelism(), pinning });
  const n = opts.points;
  const point = pointsOf(n);
  log(`LiteKPI benchmark — ${opts.profile}: ${n.toLocaleString("en")} points in ${opts.rounds} rounds, ${opts.batch}-point batches, ${opts.concurrency} lanes`);
  log(pinning ? `cores: servers on core ${pinning.server}, load generator on core ${pinning.load} (taskset)` : "cores: not pinned (no taskset or < 2 cores) — ratios are noisier");
  log(`single-point generator: ${singleGenerator()}`);

  phase("starting systems");
  const ours = await startOurs({ sync: "full", products: ["main", "shuffled", "single", "mixed", "backup", "influx", "sdk"] });
  const oursNormal = await startOurs({ sync: "normal", products: ["main", "single"] });
  const haveQueue = existsSync(join(REPO, "src/writer/queue.ts"));
  const ceilingDir = tempDir("ceilings");
  const sqliteCeiling = await startWorker("sqlite-ceiling.ts", { DIR: ceilingDir, SYNC: "full", N: String(n) });
  const storageCeiling = haveQueue ? await startWorker("storage-ceiling.ts", { DIR: ceilingDir, SYNC: "full", N: String(n) }) : null;
  if (!storageCeiling) rec.note("in-process storage ceiling: src/writer/queue.ts not built yet — n/a");
  const barePort = freePort();
  const bare = spawnTracked(pinnedToServerCore([process.execPath, join(REPO, "bench/workers/bare-serve.ts")]), { env: { ...process.env, PORT: String(barePort) } });
  await waitForHttp(`http://127.0.0.1:${barePort}/`, { proc: bare });
  const peers: Peer[] = [];
  if (opts.peers) {
    for (const start of [startInfluxDB, startVictoriaMetrics]) {
      const p = await start();
      if (typeof p === "string") rec.note(p);
      else peers.push(p), log(`  ${p.label} on ${new URL(p.target.url).host} (${p.durability})`);
    }
  } else rec.note("peers skipped (--no-peers)");
  const idle = ours.memory();
  if (idle) rec.add("ours.idle_rss_mb.setup", idle.rssMb, "MB", "our server's RSS before ingest (products made)", "");

  const probe = await fetch(ours.ingestTarget("main").url, { method: "POST", headers: ours.ingestTarget("main").headers, body: "[]" });
  await probe.arrayBuffer();
  const haveIngest = probe.status !== 404 && probe.status !== 405;
  if (!haveIngest) rec.note("ours over HTTP: POST /api/v1/points not built yet — ingest, single-point, query, R7 and R9 rows n/a");
  const c = { point, batch: opts.batch, concurrency: opts.concurrency };
  const ingesters: Ingester[] = [
    workerIngester({ key: "ingest.sqlite.full", label: "ceiling: bare bun:sqlite INSERTs, 1000-row transactions", note: "synchronous=FULL, raw hour blocks only", worker: sqliteCeiling, ...c }),
    ...(storageCeiling ? [workerIngester({ key: "ingest.inproc.full", label: "ceiling: our write queue in-process (no HTTP)", note: OUR_DURABILITY.full, worker: storageCeiling, ...c })] : []),
    ...(haveIngest ? [httpIngester({ key: "ingest.ours.full", label: "batched ingest over HTTP, ours, time-ordered", note: OUR_DURABILITY.full, target: ours.ingestTarget("main"), ...c }),
    httpIngester({ key: "ingest.ours.normal", label: "batched ingest over HTTP, ours, LITEKPI_SYNC=normal", note: OUR_DURABILITY.normal, target: oursNormal.ingestTarget("main"), ...c }),
    httpIngester({ key: "ingest.ours.shuffled", label: "batched ingest over HTTP, ours, shuffled timestamps", note: OUR_DURABILITY.full, target: ours.ingestTarget("shuffled"), shuffled: true, ...c })] : []),
    ...peers.map((p) => httpIngester({ key: `ingest.${p.name}`, label: `batched ingest, ${p.label} (line protocol)`, note: p.durability, target: p.target, encode: toLineProtocol, ...c })),
  ].filter((i) => runs("ingest") || i.key === "ingest.ours.full" || (runs("queries") && peers.some((p) => i.key === `ingest.${p.name}`)));

  phase(`batched ingest: ${ingesters.length} systems × ${opts.rounds} rounds`);
  for (let r = 0; r < opts.rounds; r++) {
    const from = Math.floor((r * n) / opts.rounds);
    const to = Math.floor(((r + 1) * n) / opts.rounds);
    await ingestRound(rec, ingesters, r, from, to);
    log(`  round ${r + 1}: ${ingesters.map((i) => `${i.key.replace("ingest.", "")} ${(rec.values(i.key).at(-1)! / 1000).toFixed(0)}k/s`).join(", ")}`);
  }
  if (runs("ingest")) await storageRound(rec, { ours, peers, peerPoints: n });
  const loaded = ours.memory();
  const intoOurs = ingesters.filter((i) => i.key === "ingest.ours.full" || i.key === "ingest.ours.shuffled").length * n;
  if (loaded && intoOurs) rec.add("ours.loaded_rss_mb", loaded.rssMb, "MB", `our server's RSS after ingesting ${intoOurs.toLocaleString("en")} points`, "synchronous=FULL server");

  if (runs("single")) phase("single-point POSTs");
  const bodies = singleBodies(point, 2 * n);
  for (let r = 0; r < (haveIngest && runs("single") ? opts.rounds : 0); r++) {
    await singleRound(rec, {
      round: r,
      runs: [
        { key: "single.ours", label: "single-point POSTs, ours", target: ours.ingestTarget("single"), note: OUR_DURABILITY.full },
        { key: "single.ours.normal", label: "single-point POSTs, ours, LITEKPI_SYNC=normal", target: oursNormal.ingestTarget("single"), note: OUR_DURABILITY.normal },
        { key: "single.bare", label: "single-point POSTs, bare Bun.serve JSON handler", target: { name: "bare", url: `http://127.0.0.1:${barePort}/api/v1/points`, headers: { "content-type": "application/json" } }, note: "no storage" },
      ],
      bodies,
      connections: opts.singleConnections,
      seconds: opts.singleSeconds,
    });
  }

  const ref = new Reference(ours.dbPath);
  if (runs("queries")) {
    phase("queries");
    await checkPeerTotals(rec, ref, ours.products.main!.id, peers);
    for (let r = 0; r < opts.rounds; r++) await queryRound(rec, { ours, productId: ours.products.main!.id, ref, peers, runs: opts.queryRuns, n });
    await queryMatrix(rec, { ours, productId: ours.products.main!.id, ref, runs: 3 });
  }

  if (runs("mixed")) {
    phase("queries during ingest (R7)");
    const source = mixedSource(point, 3 * n, opts.batch);
    for (let r = 0; r < opts.rounds; r++) await mixedRound(rec, { ours, source, concurrency: opts.concurrency, seconds: opts.mixedSeconds });
    if (!rec.values("mixed.ingest.loaded").length) rec.note("R7: needs POST /api/v1/query — n/a");
  }

  if (runs("backup") && haveIngest) {
    phase("ingest during a backup (R23)");
    // A slice walked again and again: an open-ended one runs into timestamps past now + 24 h.
    const source = cyclingSource(() => encoded(point, 4 * n, 5 * n, opts.batch, toOurJson));
    for (let r = 0; r < opts.rounds; r++) await backupRound(rec, { ours, source, concurrency: opts.concurrency, seconds: opts.mixedSeconds });
  }

  if (runs("export")) {
    phase("CSV export (R9)");
    for (let r = 0; r < Math.min(2, opts.rounds); r++) if (!(await exportRound(rec, { ours, n }))) break;
    if (!rec.values("csv.seconds").length) rec.note("R9: GET /api/v1/export.csv not built yet — n/a");
  }
  ref.close();

  const dashboardPath = runs("dashboard") || runs("png") ? await createBenchDashboard(ours) : null;
  if (runs("dashboard")) {
    phase("dashboard page (R10)");
    for (let r = 0; r < opts.rounds; r++) if (!(await dashboardRound(rec, { ours, path: dashboardPath, runs: opts.queryRuns }))) break;
  }
  if (runs("png")) {
    phase("widget PNG (R8), tracker size");
    await extrasRound(rec, { ours, dashboardPath, rounds: opts.rounds, runs: opts.queryRuns });
  }

  if (runs("funnel")) {
    phase("funnel (R17)");
    await funnelRound(rec, { events: n, runs: Math.max(3, Math.min(opts.queryRuns, 10)), chdb: await loadChdb(opts.chdb) });
  }
  if (runs("revenue")) {
    phase("web dashboard with revenue (issue 15)");
    await revenueRound(rec, { visits: Math.max(1000, Math.round(n / 10)), runs: Math.max(3, Math.min(opts.queryRuns, 10)) });
  }
  if (runs("influx")) {
    phase("InfluxDB's client library writing line protocol (R21)");
    const targets = influxClientTargets(ours, "influx", peers, OUR_DURABILITY.full);
    // Its own slice of indexes, past the ones the other phases write (timestamps stay in the past).
    for (let r = 0; r < opts.rounds; r++) {
      const from = 6 * n + Math.floor((r * n) / opts.rounds);
      const to = 6 * n + Math.floor(((r + 1) * n) / opts.rounds);
      // Before the first round, 200k points (at most a fifth of the run) from a slice of their own warm both servers up
      // (50k left our JIT still compiling in the first timed round: 0.89× then, 1.10× in the second).
      const warmup = r === 0 ? { from: 7 * n, to: 7 * n + Math.min(200_000, Math.ceil(n / 5)) } : undefined;
      await influxClientRound(rec, { targets, point, from, to, batch: opts.batch, concurrency: opts.concurrency, round: r, warmup });
      log(`  round ${r + 1}: ${targets.map((t) => `${t.key.replace("influxclient.", "")} ${(rec.values(t.key).at(-1)! / 1000).toFixed(0)}k/s`).join(", ")}`);
    }
  }
  if (runs("web")) {
    phase("web analytics (R14, R15, R16)");
    await webPhase(rec, { ours, bareUrl: `http://127.0.0.1:${barePort}`, n, rounds: opts.rounds, connections: opts.singleConnections, seconds: opts.singleSeconds, runs: opts.queryRuns, chdb: await loadChdb(opts.chdb) });
  }
  if (runs("events")) {
    phase(`product events: metrics/query over ${n.toLocaleString("en")} events (R18)`);
    await eventsRound(rec, { n, runs: opts.queryRuns * 2, chdb: await loadChdb(opts.chdb) });
  }
  if (runs("engines")) {
    phase("the same ingest and hourly query on STORAGE=sqlite and STORAGE=chdb (R24)");
    await enginesRound(rec, { point, n: Math.min(n, 1_000_000), batch: opts.batch, concurrency: opts.concurrency, runs: opts.queryRuns });
  }
  if (runs("alerts") && haveIngest) {
    phase("alert rules in one tick, and ingest during ticks (R20)");
    const source = () => cyclingSource(() => encoded(point, 6 * n, 7 * n, opts.batch, toOurJson));
    await alertsRound(rec, { metrics: 100, rulesPerMetric: 10, source, concurrency: opts.concurrency, seconds: opts.mixedSeconds, rounds: opts.rounds });
  }

  if (runs("webhooks")) {
    phase("product webhooks on the write path (goal matching and outbox rows in the flush)");
    for (let r = 0; r < opts.rounds; r++) await webhooksRound(rec, { n, round: r });
  }

  if (runs("startup")) {
    phase("start-up");
    for (let r = 0; r < opts.rounds; r++) await startupRound(rec);
  }

  if (runs("sdk")) {
    phase("SDK track() on the caller's thread (R22)");
    const calls = opts.profile === "quick" ? 20_000 : 100_000;
    for (let r = 0; r < opts.rounds; r++) await sdkRound(rec, { endpoint: ours.url, apiKey: ours.products.sdk!.ingestKey, calls });
  }

  await Promise.all([ours.stop(), oursNormal.stop(), sqliteCeiling.stop(), storageCeiling?.stop(), ...peers.map((p) => p.stop())]);
  const { text, verdicts } = renderTables(rec);
  const took = (performance.now() - T0) / 1000;
  console.log(`\nLiteKPI benchmark (${opts.profile}, ${n.toLocaleString("en")} points, ${opts.rounds} rounds, git ${git}, ${took.toFixed(0)} s)\n`);
  console.log(text);
  if (rec.notes.length) console.log(`\nNotes:\n${rec.notes.map((s) => `- ${s}`).join("\n")}`);
  console.log(`\nJSON lines: ${rec.file}`);
  rec.line({ type: "verdicts", took, verdicts: verdicts.map((v) => ({ id: v.goal.id, title: v.goal.title, values: v.values, verdict: v.verdict })) });
  const failed = verdicts.filter((v) => v.goal.must && v.verdict === "FAIL");
  if (opts.check && failed.length) {
    log(`bench --check: ${failed.length} must-goal(s) failed: ${failed.map((v) => v.goal.id).join(", ")}`);
    return 1;
  }
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  log(`bench: ${err instanceof Error ? err.stack : err}`);
} finally {
  await cleanup();
}
process.exit(code);
