import { csvText } from "../../query/csv-cell";
import type { CardTab } from "./cards";
import type { CardRows } from "./queries";

/**
 * A card's rows as CSV: the dimension's value (and its label where the card shows another, like
 * a country's name) or the X post a t.co referrer is named after, then each metric as a plain number. Text cells go through the one CSV-cell
 * rule (formula prefixes get a leading `'`).
 */
export function cardCsv(tab: CardTab, data: CardRows): string {
  const head = [tab.dimension, ...(tab.labelDimension ? [tab.labelDimension] : []), ...(data.posts ? ["x_post"] : []), ...data.columns.map((m) => m.key)];
  const lines = [head.join(",")];
  for (const row of data.rows) {
    const cells = [csvText(row.value ?? ""), ...(tab.labelDimension ? [csvText(row.label)] : []), ...(data.posts ? [row.post ? csvText(row.post) : ""] : []), ...row.metrics.map((v) => (v === null ? "" : String(v)))];
    lines.push(cells.join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

export const cardCsvFilename = (productName: string, tab: CardTab, from: string, to: string) =>
  `${slug(productName) || "product"}_${tab.id}_${from.slice(0, 10)}_${to.slice(0, 10)}.csv`;

const slug = (s: string) =>
  s
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 60);
