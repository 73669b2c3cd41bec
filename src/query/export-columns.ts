import { csvText } from "./csv-cell";

/**
 * Which tag keys of an export get their own column. A metric whose series carry many distinct
 * keys (ids used as keys) would otherwise widen every row to all of them: 100,000 keys made
 * 5,000 points into 500 MB of commas. So at most MAX_TAG_COLUMNS keys get a column — those the
 * most series carry, ties by name — and when any key is left over, one last column `tags` holds
 * each row's other tags as canonical JSON. Below the limit the header is exactly
 * `timestamp,metric,value,<tag keys…>` as before.
 */
export const MAX_TAG_COLUMNS = 200;
export const OVERFLOW_COLUMN = "tags";

export type TagColumns = {
  /** Header cells after `timestamp,metric,value`. */
  header: string[];
  /** `,<cell>` per column for one series' tags, ready to follow the value. */
  cells(tags: Record<string, string>): string;
};

/**
 * `keysByUse`: the series' tag keys, most carried first, ties by name — at least max + 2 of them
 * when there are that many (past max, "tags" itself may have to drop out). `more`: there are
 * further keys beyond the list.
 */
export function tagColumns(keysByUse: string[], more: boolean, max = MAX_TAG_COLUMNS): TagColumns {
  const overflow = more || keysByUse.length > max;
  // With an overflow column a key named "tags" would give two columns one name: it goes to the JSON.
  const keys = (overflow ? keysByUse.filter((k) => k !== OVERFLOW_COLUMN) : keysByUse).slice(0, max).sort();
  const columned = new Set(keys);
  const header = overflow ? [...keys, OVERFLOW_COLUMN] : keys;
  return {
    header,
    cells(tags) {
      let out = "";
      for (const k of keys) out += "," + (Object.hasOwn(tags, k) ? csvText(tags[k]!) : "");
      if (!overflow) return out;
      const rest: Record<string, string> = {};
      let any = false;
      for (const k of Object.keys(tags).sort()) {
        if (columned.has(k)) continue;
        rest[k] = tags[k]!;
        any = true;
      }
      return out + "," + (any ? csvText(JSON.stringify(rest)) : "");
    },
  };
}
