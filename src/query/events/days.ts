import { instantOfWall, wallAt, wallMs } from "../../lib/time/calendar";
import { daysFromCivil } from "../../lib/time/rfc3339";

/**
 * The calendar day an instant falls in, in a zone, as days since 1970-01-01 of its local date —
 * the same day the engine's day buckets give it (bucketStarts): a day starts at
 * instantOfWall(local midnight), so after a midnight skipped by DST it starts at the end of the
 * gap, and a repeated midnight counts from its first occurrence (the clock's second pass through
 * 23:xx already belongs to the new day). Day starts are cached: a flush of a day's events in one
 * zone computes two of them.
 */
export class DayCalendar {
  private starts = new Map<string, number>();

  dayOf(zone: string, ms: number): number {
    const w = wallAt(zone, ms);
    let day = daysFromCivil(w.y, w.mo, w.d);
    if (ms < this.start(zone, day)) day--;
    else if (ms >= this.start(zone, day + 1)) day++;
    return day;
  }

  /** The instant day number `day` starts in the zone. */
  start(zone: string, day: number): number {
    const key = zone + "|" + day;
    let s = this.starts.get(key);
    if (s === undefined) {
      if (this.starts.size > 10_000) this.starts.clear();
      const d = new Date(day * 86_400_000);
      s = instantOfWall(zone, wallMs(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()));
      this.starts.set(key, s);
    }
    return s;
  }
}
