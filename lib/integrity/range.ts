/*
 * --from / --to of the command and from / to of the API: an ISO date (a whole UTC day: from its
 * start, to its end) or an ISO date-time.
 */
export type RangeParam = { ok: true; value: Date | null } | { ok: false; message: string };

const DAY_MS = 86_400_000;

export function parseRangeParam(text: string | null | undefined, name: "from" | "to"): RangeParam {
  if (text === null || text === undefined || text === "") return { ok: true, value: null };
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const date = new Date(day ? `${text}T00:00:00.000Z` : text);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    return { ok: false, message: `${name} must be an ISO date or date-time such as 2026-11-20, got "${text}"` };
  }
  return { ok: true, value: day && name === "to" ? new Date(date.getTime() + DAY_MS - 1) : date };
}
