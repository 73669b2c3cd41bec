import { writeWebData, webDashboardRound } from "/work/wt-web-data/bench/scenarios/web";
const n = Number(process.argv[2]);
const data = await writeWebData(n, Date.UTC(2026, 5, 30));
console.log("wrote", n, "in", data.seconds.toFixed(1), "s");
const rec = { add: (...a: unknown[]) => console.log(a.slice(0, 4)), note: console.log } as never;
await webDashboardRound(rec, { n, runs: 10, data });
