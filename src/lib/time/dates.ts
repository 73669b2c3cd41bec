import { instantOfWall, wallAt, wallMs } from "./calendar";

/**
 * Calendar dates as people type them (`YYYY-MM-DD`, in a product's zone) and the instants they
 * stand for. A date's start is the zone's midnight as the query engine's day buckets place it
 * (instantOfWall: after a DST gap that skips midnight, the first instant after it), so a custom
 * range of whole days lines up with the day buckets it is charted in.
 */
export type LocalDate = { y: number; m: number; d: number };

/** A real calendar date, or null (2026-02-30 is not one). */
export function parseLocalDate(s: string): LocalDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s.trim());
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const check = new Date(wallMs(y, mo, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return { y, m: mo, d };
}

/** The instant the day starts in the zone (`d` may overflow: it rolls over like Date.UTC). */
export function startOfLocalDate(day: LocalDate, zone: string): number {
  return instantOfWall(zone, wallMs(day.y, day.m, day.d));
}

/** The zone's calendar date at an instant, `YYYY-MM-DD`. */
export function localDateAt(ms: number, zone: string): string {
  const w = wallAt(zone, ms);
  return `${String(w.y).padStart(4, "0")}-${String(w.mo).padStart(2, "0")}-${String(w.d).padStart(2, "0")}`;
}

/** RFC 3339 in UTC without milliseconds: "2026-03-01T00:00:00Z". */
export const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
