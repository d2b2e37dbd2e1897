import type { Period } from "@/lib/audit-log/search-params";

/** The source documents' words for the periods and results, shared by the panel and the chips. */
export const PERIOD_LABELS: Record<Period, string> = {
  "15m": "Last 15 minutes",
  "1h": "Last hour",
  "24h": "Last 24 hours",
  today: "Today",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  custom: "Custom",
};

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// A wall-clock time the time input can show: hours and minutes, with no offset after them.
const WALL_TIME = /^T(\d{2}:\d{2})(?::00(?:\.0+)?)?$/;

/** The date part a date input can show; date-times from hand-written links keep their day. */
export function dateInputValue(value: string | null): string {
  if (!value) return "";
  const day = value.slice(0, 10);
  return DATE_ONLY.test(day) ? day : "";
}

/** The time of day a time input can show (HH:MM), or "" for a bare date or a time with an offset. */
export function timeInputValue(value: string | null): string {
  if (!value || !DATE_ONLY.test(value.slice(0, 10))) return "";
  return WALL_TIME.exec(value.slice(10))?.[1] ?? "";
}

/** A custom bound as the URL carries it: the day, with its time of day when one was chosen. */
export function customBound(date: string, time: string): string | null {
  if (!date) return null;
  return time ? `${date}T${time}` : date;
}

/** "2026-01-01 – 2026-01-31", "from 2026-01-01 14:05", "until 2026-01-31" or "any time". */
export function customRangeText(from: string | null, to: string | null): string {
  const show = (bound: string) => bound.replace(/^(\d{4}-\d{2}-\d{2})T/, "$1 ");
  if (from && to) return `${show(from)} – ${show(to)}`;
  if (from) return `from ${show(from)}`;
  if (to) return `until ${show(to)}`;
  return "any time";
}
