import type { Deps } from "../deps";
import { LATENCY_BOUNDS_S, type Histogram } from "../lib/histogram";
import { queryLatency } from "../query/latency";
import { droppedEvents } from "./drops";
import { databasePath, fileBytes } from "./files";

/**
 * GET /metrics in Prometheus' text exposition format (version 0.0.4): one HELP and TYPE line
 * per family, then `name{labels} value` samples. Counters count since this process started;
 * the writer's figures are as of its last answer (a few ms old under load).
 */
type Family = { name: string; help: string; type: "counter" | "gauge" | "histogram"; samples: string[] };

export function renderMetrics(deps: Pick<Deps, "config" | "queue">): string {
  const w = deps.queue.stats();
  const db = databasePath(deps.config.dataDir);
  const families: Family[] = [
    counter("litekpi_points_stored_total", "Raw points committed by the writer (rate() is the ingest rate).", w.points),
    counter("litekpi_events_stored_total", "Events committed by the writer (duplicates by id not counted).", w.events),
    counter("litekpi_flushes_total", "Flush transactions committed by the writer.", w.flushes),
    gauge("litekpi_writer_queue_depth", "Batches and writer operations submitted and not yet answered.", w.inflight),
    histogram("litekpi_flush_duration_seconds", "One flush transaction, BEGIN IMMEDIATE to COMMIT done.", w.flushSeconds),
    histogram("litekpi_commit_duration_seconds", "The COMMIT of a flush alone (the fsync with LITEKPI_SYNC=full).", w.commitSeconds),
    histogram("litekpi_query_duration_seconds", "One run of the query engine (API, widgets, reports).", queryLatency),
    gauge("litekpi_database_bytes", "Size of the SQLite file.", fileBytes(db)),
    gauge("litekpi_wal_bytes", "Size of the SQLite write-ahead log.", fileBytes(`${db}-wal`)),
    {
      name: "litekpi_events_dropped_total",
      help: "Events dropped on purpose, by reason.",
      type: "counter",
      samples: droppedEvents().map(([reason, n]) => `litekpi_events_dropped_total{reason="${reason}"} ${n}`),
    },
    gauge("process_resident_memory_bytes", "Resident set size of the server process.", process.memoryUsage().rss),
  ];
  return families.map((f) => [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.samples].join("\n")).join("\n") + "\n";
}

const counter = (name: string, help: string, value: number): Family => ({ name, help, type: "counter", samples: [`${name} ${value}`] });
const gauge = (name: string, help: string, value: number): Family => ({ name, help, type: "gauge", samples: [`${name} ${value}`] });

/** Cumulative buckets, as Prometheus wants them: each `le` counts everything at or below it. */
function histogram(name: string, help: string, h: Histogram): Family {
  const samples: string[] = [];
  let cumulative = 0;
  LATENCY_BOUNDS_S.forEach((bound, i) => {
    cumulative += h.counts[i]!;
    samples.push(`${name}_bucket{le="${bound}"} ${cumulative}`);
  });
  samples.push(`${name}_bucket{le="+Inf"} ${h.count}`, `${name}_sum ${h.sum}`, `${name}_count ${h.count}`);
  return { name, help, type: "histogram", samples };
}
