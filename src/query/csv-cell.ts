/**
 * A text cell: one leading `'` when it starts with = + - @ tab or CR (spreadsheets would run it
 * as a formula, OWASP "CSV injection"), then RFC 4180 quotes when it holds `"` `,` CR or LF.
 * Numbers never pass through here, so -5 stays a number.
 */
export function csvText(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? "'" + s : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
