import type { MatchCount } from "@/lib/audit-log/counts";

const NUMBER = new Intl.NumberFormat("en-US");

/** "1 entry", "1,234 entries", or "more than 10,000 entries" when counting further is not cheap. */
export function entryCountText(count: MatchCount): string {
  if (!count.exact) return `more than ${NUMBER.format(count.atLeast)} entries`;
  return `${NUMBER.format(count.count)} ${count.count === 1 ? "entry" : "entries"}`;
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
