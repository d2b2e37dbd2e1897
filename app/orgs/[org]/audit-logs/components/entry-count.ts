import type { MatchCount } from "@/lib/audit-log/counts";

const NUMBER = new Intl.NumberFormat("en-US");

/** "1 entry", "1,234 entries", or the bound "10,000+ entries" when counting further is not cheap. */
export function entryCountText(count: MatchCount): string {
  if (!count.exact) return `${NUMBER.format(count.atLeast)}+ entries`;
  return `${NUMBER.format(count.count)} ${count.count === 1 ? "entry" : "entries"}`;
}
