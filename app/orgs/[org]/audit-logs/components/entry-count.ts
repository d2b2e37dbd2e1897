import { EXACT_COUNT_LIMIT } from "@/lib/audit-log/count-limit";
import type { MatchCount } from "@/lib/audit-log/counts";

const NUMBER = new Intl.NumberFormat("en-US");

/** "1 entry", "1,234 entries", or "more than 10,000 entries" when counting further is not cheap. */
export function entryCountText(count: MatchCount): string {
  if (!count.exact) return `more than ${NUMBER.format(count.atLeast)} entries`;
  return `${NUMBER.format(count.count)} ${count.count === 1 ? "entry" : "entries"}`;
}

/** "1 record", "16,068 records": the export's word for entries (the sources'). */
export function recordCount(n: number): string {
  return `${NUMBER.format(n)} ${n === 1 ? "record" : "records"}`;
}

/**
 * The export modal's word on its count when the list's was capped: the list stops at "more than
 * 10,000 entries", the export counts on (up to its own limit), so the two may seem to disagree.
 */
export function exportCountNote(count: number, maxRows: number): string | null {
  if (count <= EXACT_COUNT_LIMIT || count > maxRows) return null;
  return `The list stops counting at more than ${NUMBER.format(EXACT_COUNT_LIMIT)}; this count is exact.`;
}

/**
 * "801–850 of 2,874 entries" when the page knows its place, else the count alone. A deep-link
 * window far down a long listing, or a place shifted by new entries, does not know it.
 */
export function pagePositionText(firstPosition: number | null, rowsOnPage: number, count: MatchCount): string {
  const total = entryCountText(count);
  if (firstPosition === null || rowsOnPage === 0) return total;
  const last = firstPosition + rowsOnPage - 1;
  // A count taken a moment before the page can be smaller than the place of its last row.
  if (count.exact && last > count.count) return total;
  const range =
    rowsOnPage === 1 ? NUMBER.format(firstPosition) : `${NUMBER.format(firstPosition)}–${NUMBER.format(last)}`;
  return `${range} of ${total}`;
}
