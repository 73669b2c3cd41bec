import type { FilterKey } from "./view";

/**
 * The breakdown cards of the web dashboard (DESIGN.md "Web analytics"), one table: each card has
 * tabs, each tab one Stats API v2 dimension whose rows filter the page by `filterKey` on click.
 * A tab may ask for a second dimension to show as the row's label (countries: filter by the code,
 * show the name). Cards come in pairs, as laid out on the page.
 */
export type CardMetric = {
  key: string;
  label: string;
  /** The full name, where the label is an abbreviation. */
  title?: string;
  /** Revenue belongs to visits: shown when the product has revenue, on tabs of a visit dimension. */
  revenue?: true;
  /** Read with the product's revenue goal as the event:goal filter (conversion_rate: the share of the row's visitors who paid). */
  goal?: true;
  /** Only on the details page and in the CSV (the card itself has room for four figures). */
  detailsOnly?: true;
  /** Left out on phones. */
  wide?: true;
};
export type CardTab = {
  id: string;
  label: string;
  dimension: string;
  filterKey: FilterKey;
  column: string;
  labelDimension?: string;
  /** Rows that are t.co links show the X post the user named them after (src/revenue/x-links.ts). */
  xPosts?: true;
};
export type CardDef = {
  id: string;
  title: string;
  tabs: CardTab[];
  metrics: CardMetric[];
  note?: "dbip";
  /** A details page with more than the longer list (the goals' time to convert): always linked, with these words. */
  detailsLink?: string;
};

const VISITORS: CardMetric[] = [{ key: "visitors", label: "Visitors" }];
/** "Which traffic actually pays" (DESIGN.md "Revenue"): beside the visitors of every visit breakdown. */
const REVENUE: CardMetric[] = [
  ...VISITORS,
  { key: "revenue", label: "Revenue", revenue: true },
  { key: "purchases", label: "Purchases", revenue: true, detailsOnly: true },
  { key: "rpv", label: "RPV", title: "Revenue per visitor", revenue: true, wide: true },
  { key: "conversion_rate", label: "CR", title: "Conversion rate: visitors who paid", revenue: true, goal: true, wide: true },
];

export const CARDS: CardDef[] = [
  {
    id: "sources",
    title: "Sources",
    metrics: REVENUE,
    tabs: [
      { id: "sources", label: "Sources", dimension: "visit:source", filterKey: "source", column: "Source" },
      { id: "referrers", label: "Referrers", dimension: "visit:referrer", filterKey: "referrer", column: "Referrer", xPosts: true },
    ],
  },
  {
    id: "pages",
    title: "Pages",
    metrics: REVENUE,
    tabs: [
      { id: "pages", label: "Top pages", dimension: "event:page", filterKey: "page", column: "Page" },
      { id: "entry", label: "Entry pages", dimension: "visit:entry_page", filterKey: "entry_page", column: "Entry page" },
      { id: "exit", label: "Exit pages", dimension: "visit:exit_page", filterKey: "exit_page", column: "Exit page" },
    ],
  },
  {
    id: "campaigns",
    title: "Campaigns",
    metrics: REVENUE,
    tabs: [
      { id: "medium", label: "Medium", dimension: "visit:utm_medium", filterKey: "utm_medium", column: "UTM medium" },
      { id: "source", label: "Source", dimension: "visit:utm_source", filterKey: "utm_source", column: "UTM source" },
      { id: "campaign", label: "Campaign", dimension: "visit:utm_campaign", filterKey: "utm_campaign", column: "UTM campaign" },
      { id: "content", label: "Content", dimension: "visit:utm_content", filterKey: "utm_content", column: "UTM content" },
      { id: "term", label: "Term", dimension: "visit:utm_term", filterKey: "utm_term", column: "UTM term" },
    ],
  },
  {
    id: "locations",
    title: "Locations",
    metrics: REVENUE,
    note: "dbip",
    tabs: [
      { id: "countries", label: "Countries", dimension: "visit:country", labelDimension: "visit:country_name", filterKey: "country", column: "Country" },
      { id: "regions", label: "Regions", dimension: "visit:region", filterKey: "region", column: "Region" },
    ],
  },
  {
    id: "devices",
    title: "Devices",
    metrics: REVENUE,
    tabs: [
      { id: "devices", label: "Devices", dimension: "visit:device", filterKey: "device", column: "Device" },
      { id: "browsers", label: "Browsers", dimension: "visit:browser", filterKey: "browser", column: "Browser" },
      { id: "os", label: "OS", dimension: "visit:os", filterKey: "os", column: "Operating system" },
    ],
  },
  {
    id: "goals",
    title: "Goals",
    metrics: [
      { key: "visitors", label: "Uniques" },
      { key: "events", label: "Total" },
      { key: "conversion_rate", label: "CR" },
    ],
    tabs: [{ id: "goals", label: "Goals", dimension: "event:goal", filterKey: "goal", column: "Goal" }],
  },
];


/** What the product's revenue allows the cards to show (src/web/dashboard/revenue-setup.ts). */
export type RevenueColumns = { enabled: boolean; goal: string | null };

/**
 * The figures a tab shows: revenue ones only where the product has revenue and the tab is a
 * visit dimension (a payment belongs to a visit, not to a page view), the conversion rate only
 * with a revenue goal to convert on; on the card itself, not the details-only ones.
 */
export function cardColumns(card: CardDef, tab: CardTab, revenue: RevenueColumns, details: boolean): CardMetric[] {
  return card.metrics.filter((m) => {
    if (m.detailsOnly && !details) return false;
    if (!m.revenue) return true;
    if (!revenue.enabled || !tab.dimension.startsWith("visit:")) return false;
    return !m.goal || revenue.goal !== null;
  });
}

/** The tab asked for, else the card's first. */
export const cardTab = (card: CardDef, id: string | null | undefined) => card.tabs.find((t) => t.id === id) ?? card.tabs[0]!;

/**
 * With a goal picked (the page's goal filter, as in Plausible), every breakdown card but Goals
 * shows that goal's conversions and conversion rate per row: the visitors who converted, and CR
 * over the row's visitors (/api/v2/query's conversion_rate under the goal filter).
 */
const CONVERSIONS: CardMetric[] = [
  { key: "visitors", label: "Conversions" },
  { key: "conversion_rate", label: "CR" },
];
export const cardForView = (card: CardDef, view: { filters: { key: string }[] }): CardDef =>
  card.id !== "goals" && view.filters.some((f) => f.key === "goal") ? { ...card, metrics: CONVERSIONS } : card;
