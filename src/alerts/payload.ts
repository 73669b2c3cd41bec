/**
 * What every channel sends, and webhook bodies are (DESIGN.md "Alerts"):
 * `{ alert, state, value, threshold, at, url }`. `url` opens the rule's chart at that moment.
 */
export type AlertPayload = {
  alert: { id: string; name: string; productId: string; productName: string; condition: string };
  state: "firing" | "resolved";
  value: number | null;
  threshold: number | null;
  at: string; // the boundary, RFC 3339 UTC
  url: string;
};

const fmt = (x: number | null) => (x === null ? "no data" : Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+$/, ""));
export const formatValue = fmt;

export function summary(p: AlertPayload): { title: string; line: string } {
  const title = p.state === "firing" ? `Firing: ${p.alert.name}` : `Resolved: ${p.alert.name}`;
  const line =
    p.state === "firing"
      ? `${p.alert.productName}: ${p.alert.name} is firing (${p.alert.condition}): value ${fmt(p.value)}, threshold ${fmt(p.threshold)}, since ${p.at}.`
      : `${p.alert.productName}: ${p.alert.name} resolved at ${p.at} (value ${fmt(p.value)}).`;
  return { title, line };
}
