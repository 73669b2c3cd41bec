/**
 * A Worker that runs one backup on its own connection, so the scheduled backup's VACUUM INTO
 * (seconds on a large database) never holds the HTTP thread: requests and queries go on.
 */
import { BACKUP_NICE, backupDatabase, openExisting } from "./backup";
import { lowerThreadPriority } from "../lib/thread-priority";

declare const self: Worker;

self.onmessage = (event: MessageEvent<{ dbPath: string; file: string }>) => {
  const { dbPath, file } = event.data;
  lowerThreadPriority(BACKUP_NICE);
  try {
    const db = openExisting(dbPath);
    try {
      self.postMessage({ ok: true, result: backupDatabase(db, file) });
    } finally {
      db.close();
    }
  } catch (err) {
    self.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
  }
};
