import { parseArgs } from "node:util";

/** Run sizes. quick ≈ 1 min, default ≤ 5 min, full = 10M points (R5/R10 are defined over 10M). */
export type Options = {
  profile: "quick" | "default" | "full";
  points: number;
  rounds: number;
  batch: number;
  concurrency: number;
  singleConnections: number;
  singleSeconds: number;
  mixedSeconds: number;
  queryRuns: number;
  peers: boolean;
  /** Install chdb (embedded ClickHouse) into bench/.peers when absent, for R16, R17 and R19. */
  chdb: boolean;
  /** Phases to run; the data they need is always ingested (ours and the peers). */
  only: Set<Phase> | null;
  check: boolean;
};

export const PHASES = ["ingest", "single", "queries", "mixed", "backup", "export", "dashboard", "png", "startup", "web", "events", "funnel", "influx", "sdk", "alerts", "revenue", "webhooks", "engines"] as const;
export type Phase = (typeof PHASES)[number];

const PROFILES = {
  quick: { points: 200_000, rounds: 2, singleSeconds: 2, mixedSeconds: 2, queryRuns: 5 },
  default: { points: 1_000_000, rounds: 3, singleSeconds: 4, mixedSeconds: 4, queryRuns: 10 },
  full: { points: 10_000_000, rounds: 5, singleSeconds: 8, mixedSeconds: 8, queryRuns: 20 },
};

export const USAGE = `Usage: bun run bench [--quick | --full] [--check] [--no-peers] [--points N] [--rounds N]
  --quick     ≈ 1 minute: ${PROFILES.quick.points.toLocaleString("en")} points, ${PROFILES.quick.rounds} rounds
  (default)   ≤ 5 minutes: ${PROFILES.default.points.toLocaleString("en")} points, ${PROFILES.default.rounds} rounds
  --full      ${PROFILES.full.points.toLocaleString("en")} points, ${PROFILES.full.rounds} rounds
  --check     exit 1 when a goal marked must fails
  --no-peers  skip InfluxDB and VictoriaMetrics even when installed
  --chdb      install chdb (embedded ClickHouse, ~540 MB) into bench/.peers when absent and
              run R16, R17 and R19 against it (used without the flag when already installed)
  --only P,…  run only these phases (${PHASES.join(", ")}); e.g. R5 over 10M points:
              bun run bench --points 10000000 --rounds 1 --only queries`;

function phase(name: string): Phase {
  if (!(PHASES as readonly string[]).includes(name)) throw new Error(`unknown phase ${name} (one of ${PHASES.join(", ")})`);
  return name as Phase;
}

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean" },
      full: { type: "boolean" },
      check: { type: "boolean" },
      "no-peers": { type: "boolean" },
      chdb: { type: "boolean" },
      only: { type: "string" },
      points: { type: "string" },
      rounds: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const profile = values.full ? "full" : values.quick ? "quick" : "default";
  const p = PROFILES[profile];
  const int = (s: string | undefined, fallback: number) => {
    if (s === undefined) return fallback;
    const n = Number(s.replace(/_/g, ""));
    if (!Number.isInteger(n) || n < 1) throw new Error(`not a positive whole number: ${s}`);
    return n;
  };
  return {
    profile,
    points: int(values.points, p.points),
    rounds: int(values.rounds, p.rounds),
    batch: 1000,
    concurrency: 4,
    singleConnections: 64,
    singleSeconds: p.singleSeconds,
    mixedSeconds: p.mixedSeconds,
    queryRuns: p.queryRuns,
    peers: !values["no-peers"],
    chdb: Boolean(values.chdb),
    check: Boolean(values.check),
    only: values.only ? new Set(values.only.split(",").map((p) => phase(p.trim()))) : null,
  };
}
