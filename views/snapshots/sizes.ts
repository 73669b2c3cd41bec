import { bodySize } from "./card";

/**
 * Snapshot sizes in CSS pixels (the PNG is twice that). Widths fit the 600 px email's 550 px
 * column: charts and tables take it whole, numbers half of it (two per row, 16 px apart).
 */
export const FULL_WIDTH = 550;
export const HALF_WIDTH = 267;
export const COLUMN_GAP = 16;
export const LINE_HEIGHT = 320;
export const NUMBER_HEIGHT = 156;
export const EMPTY_TABLE_HEIGHT = 220;
/** Title, footer, padding and gaps of a card: its height minus its body's. */
export const CARD_CHROME_H = NUMBER_HEIGHT - bodySize(HALF_WIDTH, NUMBER_HEIGHT).height;
