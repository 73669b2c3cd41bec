/** Alert durations ("5m", "1h", "7d", "4w"): whole minutes, so every window ends on a minute boundary. */
export const MINUTE_MS = 60_000;
const UNITS: Record<string, number> = { m: MINUTE_MS, h: 60 * MINUTE_MS, d: 1440 * MINUTE_MS, w: 7 * 1440 * MINUTE_MS };
const DURATION = /^([1-9]\d{0,5})(m|h|d|w)$/;

export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text);
  return m ? Number(m[1]) * UNITS[m[2]!]! : null;
}

export const DURATION_HINT = 'a duration like "5m", "1h", "7d" or "4w"';

export const floorMinute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
