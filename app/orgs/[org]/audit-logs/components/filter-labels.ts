import { auditResult, type AuditResult } from "@/db/schema/enums";
import { RESULT_LABELS } from "@/lib/audit-log/labels";
import type { Period } from "@/lib/audit-log/search-params";

/** The source documents' words for the periods and results, shared by the panel and the chips. */
export const PERIOD_LABELS: Record<Period, string> = {
  today: "Today",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  custom: "Custom",
};

export const RESULT_OPTIONS: readonly { value: AuditResult | "all"; label: string }[] = [
  { value: "all", label: "All" },
  ...auditResult.enumValues.map((value) => ({ value, label: RESULT_LABELS[value] })),
];

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The date part a date input can show; date-times from hand-written links keep their day. */
export function dateInputValue(value: string | null): string {
  if (!value) return "";
  const day = value.slice(0, 10);
  return DATE_ONLY.test(day) ? day : "";
}

/** "2026-01-01 – 2026-01-31", "from 2026-01-01", "until 2026-01-31" or "any time". */
export function customRangeText(from: string | null, to: string | null): string {
  if (from && to) return `${from} – ${to}`;
  if (from) return `from ${from}`;
  if (to) return `until ${to}`;
  return "any time";
}
