import { join } from "node:path";
import type { Database } from "bun:sqlite";
import type { Config } from "../config";
import type { DataPlane, PointsSink, StorageEngine } from "./plane";
import { sqliteDataPlane } from "./sqlite/plane";
import { createSqlitePointsSink } from "./sqlite/points-sink";
import { ChdbMissingError, openChdb } from "./clickhouse/chdb";
import { ConfigError } from "../config";
import { migrateClickHouse } from "./clickhouse/migrate";
import { clickhousePoints } from "./clickhouse/points-reader";
import { createClickHousePointsSink } from "./clickhouse/points-sink";
import type { ClickHouseTransport } from "./clickhouse/transport";
import type { EventsSink } from "./events-plane";
import { createSqliteEventsSink } from "./sqlite/events-sink";
import { clickhouseEvents } from "./clickhouse/events-reader";
import { createClickHouseEventsSink } from "./clickhouse/events-sink";
import type { WebSink } from "./web-plane";
import { clickhouseWeb } from "./clickhouse/web-reader";
import { createClickHouseWebSink } from "./clickhouse/web-sink";

/** What the writer thread needs to open its side of the data plane (plain data: it crosses to the Worker). */
export type StorageInit = { engine: StorageEngine; chdbPath: string | null };

export function storageInit(config: Config): StorageInit {
  return { engine: config.storage.engine, chdbPath: config.storage.engine === "chdb" ? join(config.dataDir, "clickhouse") : null };
}

function transport(init: StorageInit): ClickHouseTransport {
  if (init.engine === "chdb") {
    try {
      return openChdb(init.chdbPath!);
    } catch (err) {
      if (err instanceof ChdbMissingError) throw new ConfigError([`STORAGE=chdb: ${err.message.split("\n")[0]}`]);
      throw err;
    }
  }
  // The HTTP transport (@clickhouse/client) is asynchronous, and the query engine is not yet:
  // see README "Storage engines". The SQL is shared; only this transport is missing.
  throw new ConfigError(["STORAGE=clickhouse: not available in this version; use STORAGE=chdb (embedded ClickHouse, the same SQL) or sqlite"]);
}

/** The HTTP thread's side, at boot: the schema migrated, then the query engine's reader. */
export function openDataPlane(init: StorageInit): { plane: DataPlane; applied: string[]; close(): void } {
  if (init.engine === "sqlite") return { plane: sqliteDataPlane, applied: [], close() {} };
  const ch = transport(init);
  const { applied } = migrateClickHouse(ch);
  const events = clickhouseEvents(ch);
  const web = clickhouseWeb(ch);
  return { plane: { engine: init.engine, points: (sqlite) => clickhousePoints(ch, sqlite), events: () => events, web: () => web }, applied, close: () => ch.close() };
}

/**
 * The writer thread's side: where a flush's points, events and web rows go (one transport for
 * all). SQLite's web sink is the flusher's own default (it defers the aggregate upserts).
 */
export function openSinks(init: StorageInit, sqlite: Database): { sink: PointsSink; events: EventsSink; web?: WebSink } {
  if (init.engine === "sqlite") return { sink: createSqlitePointsSink(sqlite), events: createSqliteEventsSink(sqlite) };
  const ch = transport(init);
  return { sink: createClickHousePointsSink(ch, sqlite), events: createClickHouseEventsSink(ch, sqlite), web: createClickHouseWebSink(ch) };
}
