import type { CreatedRange, SearchQuery } from "./search-language";
import type { ExplorerParams, ExplorerParamsOverrides } from "./search-params";

/*
 * The period and a `created:` qualifier both bound occurred_at, and where.ts ANDs them: an entry
 * is listed only when it lies inside both. So where they disagree the narrower one wins, which for
 * a `created:` range reaching outside the period means the period wins. That is the right
 * semantics (every filter in force narrows; none silently replaces another), but the reader has
 * to be told, or `created:2026-11-01..2026-11-05` on the default "Last 7 days" page just says
 * "no entries". Pure: the page and the empty state both read it.
 */

/** outside: no created: range meets the period, nothing can match; partly: some of it is cut off. */
export type PeriodConflict = "outside" | "partly" | null;

/** The period lifted: every entry the organization keeps (`period=custom` with no bounds). */
export const ANY_TIME: ExplorerParamsOverrides = { period: "custom", from: null, to: null };

export function isAnyTime(params: Pick<ExplorerParams, "period" | "from" | "to">): boolean {
  return params.period === "custom" && params.from === null && params.to === null;
}

interface Interval {
  /** Inclusive start in ms, or -Infinity. */
  from: number;
  /** Exclusive end in ms, or +Infinity. */
  to: number;
}

// occurred_at has millisecond precision, so an exclusive bound is the inclusive one moved by 1 ms.
function createdInterval(range: CreatedRange): Interval {
  const from = range.from === null ? -Infinity : range.from.getTime() + (range.fromInclusive ? 0 : 1);
  const to = range.to === null ? Infinity : range.to.getTime() + (range.toInclusive ? 1 : 0);
  return { from, to };
}

// A period that ends after now ("Today") cuts off only entries not written yet: as open as none.
function periodInterval(range: ExplorerParams["range"], nowMs: number): Interval {
  const to = range.to === null ? Infinity : Date.parse(range.to);
  return {
    from: range.from === null ? -Infinity : Date.parse(range.from),
    to: to >= nowMs ? Infinity : to,
  };
}

const meets = (a: Interval, b: Interval) => Math.max(a.from, b.from) < Math.min(a.to, b.to);
const within = (inner: Interval, outer: Interval) => inner.from >= outer.from && inner.to <= outer.to;

/**
 * How the search's positive `created:` qualifiers sit against the period. Negated ones only take
 * entries away, so they never hide anything the reader asked for; the same key repeated is an OR
 * of ranges (one filter), different filters AND.
 */
export function periodConflict(
  range: ExplorerParams["range"],
  search: SearchQuery,
  now: Date = new Date(),
): PeriodConflict {
  const period = periodInterval(range, now.getTime());
  let partly = false;
  for (const filter of search.filters) {
    if (filter.key !== "created" || filter.negated || filter.values.length === 0) continue;
    const ranges = filter.values.map(createdInterval).filter((r) => r.from < r.to);
    if (ranges.length === 0) continue;
    if (!ranges.some((r) => meets(r, period))) return "outside";
    if (!ranges.every((r) => within(r, period))) partly = true;
  }
  return partly ? "partly" : null;
}
