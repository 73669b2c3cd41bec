/**
 * `bun bench/profile.ts batch|single|query|export [--points N] [--seconds S]`: runs our server
 * under Bun's CPU profiler (`--cpu-prof-md`) through one of the benchmark's loads and prints the
 * hottest functions — the evidence behind a failing goal. Not a measurement: the profiler costs time.
 */
import { copyFileSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pointsOf, toOurJson } from "./lib/points";
import { ingest, ingestFor, loop, singleRequests } from "./lib/load";
import { cleanup, installCleanupHandlers, pinSelfToLoadCore, tempDir } from "./lib/procs";
import { hasWrk, runWrk } from "./lib/wrk";
import { encoded } from "./scenarios/ingest";
import { singleBodies } from "./scenarios/single";
import { hourly30, ourQuery } from "./scenarios/queries";
import { startOurs } from "./systems/ours";
import { METRIC, SPAN_END, SPAN_START } from "./lib/points";

const { values, positionals } = parseArgs({ args: process.argv.slice(2), options: { points: { type: "string" }, seconds: { type: "string" }, sync: { type: "string" } }, allowPositionals: true });
const scenario = positionals[0] ?? "batch";
if (!["batch", "single", "query", "export", "mixed"].includes(scenario)) {
  console.error("usage: bun bench/profile.ts batch|single|query|export|mixed [--points N] [--seconds S] [--sync full|normal]");
  process.exit(2);
}
const n = Number(values.points ?? 200_000);
const seconds = Number(values.seconds ?? 5);
installCleanupHandlers();
pinSelfToLoadCore();
const dir = tempDir("profile");
const ours = await startOurs({ sync: values.sync === "normal" ? "normal" : "full", products: ["main", "load"], bunArgs: ["--cpu-prof-md", `--cpu-prof-dir=${dir}`] });
const point = pointsOf(n);
const load = () => ingest(ours.ingestTarget("main"), [...iter(encoded(point, 0, n, 1000, toOurJson))][Symbol.iterator](), 4);
try {
  const t0 = performance.now();
  if (scenario === "batch") console.log("batch ingest", await load());
  else if (scenario === "single") {
    const bodies = singleBodies(point, 0);
    const target = ours.ingestTarget("load");
    console.log(hasWrk() ? await runWrk({ url: target.url, headers: target.headers, bodies, connections: 64, seconds }) : await singleRequests(target, bodies, 64, seconds * 1000));
  } else {
    await load();
    console.log(`loaded ${n} points in ${((performance.now() - t0) / 1000).toFixed(1)} s; profiling ${scenario} only from here on is not possible, the profile covers both`);
    if (scenario === "query") console.log(await loop(() => ourQuery(ours, "main", hourly30()), seconds * 1000));
    if (scenario === "mixed") {
      const source = encoded(point, 2 * n, Number.POSITIVE_INFINITY, 1000, toOurJson);
      console.log(await Promise.all([ingestFor(ours.ingestTarget("load"), source, 4, seconds * 1000), loop(() => ourQuery(ours, "main", hourly30()), seconds * 1000)]));
    }
    if (scenario === "export") {
      const params = new URLSearchParams({ metric: METRIC, from: new Date(SPAN_START).toISOString(), to: new Date(SPAN_END).toISOString() });
      const res = await fetch(`${ours.url}/api/v1/export.csv?${params}`, { headers: ours.readHeaders("main") });
      console.log("export", res.status, (await res.arrayBuffer()).byteLength, "bytes");
    }
  }
  console.log(`wall ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await ours.stop();
  const file = readdirSync(dir).find((f) => f.endsWith(".md"));
  if (!file) throw new Error("no profile written");
  const md = readFileSync(join(dir, file), "utf8");
  const head = md.slice(0, md.indexOf("## Call Tree"));
  console.log(head.split("\n").slice(0, 45).join("\n"));
  // The call tree's heaviest project frames: which of our functions the time is spent under.
  const tree = md.slice(md.indexOf("## Call Tree"), md.indexOf("## Function Details")).split("\n");
  console.log(["", "Call tree (total time), frames in src/:", ...tree.filter((l) => l.includes("/src/")).slice(0, 25)].join("\n"));
  const kept = join(tmpdir(), `litekpi-profile-${scenario}.md`);
  copyFileSync(join(dir, file), kept);
  console.log(`\nfull profile: ${kept}`);
} finally {
  await cleanup();
}

function* iter<T>(it: Iterator<T>) {
  for (let x = it.next(); !x.done; x = it.next()) yield x.value;
}
