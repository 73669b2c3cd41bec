import type { Database } from "bun:sqlite";
import type { DataPlane, PointsReader } from "./plane";
import type { EventsReader } from "./events-plane";
import type { WebReader } from "./web-plane";
import { sqliteDataPlane } from "./sqlite/plane";

/**
 * Which data plane a connection's queries run on. Bound once at boot (src/boot.ts) for the
 * writer's and the reader's connection; any other connection (a test's, the CLI's) is SQLite.
 */
const planes = new WeakMap<Database, DataPlane>();

export function bindDataPlane(sqlite: Database, plane: DataPlane) {
  planes.set(sqlite, plane);
}

export function dataPlaneOf(sqlite: Database): DataPlane {
  return planes.get(sqlite) ?? sqliteDataPlane;
}

export function pointsReaderFor(sqlite: Database): PointsReader {
  return dataPlaneOf(sqlite).points(sqlite);
}

/** Where a connection's web-analytics reads run (src/storage/web-plane.ts). */
export function webReaderFor(sqlite: Database): WebReader {
  return dataPlaneOf(sqlite).web(sqlite);
}

/** Where a connection's product-event reads run (src/storage/events-plane.ts). */
export function eventsReaderFor(sqlite: Database): EventsReader {
  return dataPlaneOf(sqlite).events(sqlite);
}
