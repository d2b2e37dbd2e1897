import { z } from "zod";
import { auditCategory, type AuditCategory } from "@/db/schema/enums";
import { CATEGORY_LABELS } from "@/lib/audit-log/labels";
import { categoryRange, formatDays, yearsToDays, type DayRange, type RetentionBounds } from "@/lib/retention/policy";
import type { ArchiveUnit, FieldErrors } from "./types";

/*
 * The settings form's validation, built from the deployment's bounds. Every field is checked and
 * every problem reported at once, and any problem refuses the whole submission: a retention
 * policy half-applied is worse than none applied.
 */

export interface RetentionSettingsInput {
  days: Record<AuditCategory, number>;
  archive: { enabled: boolean; days: number };
}

const n = (v: number) => v.toLocaleString("en-US");

function daysSchema(label: string, range: DayRange) {
  const message = `${label}: enter a whole number of days from ${n(range.min)} to ${n(range.max)}.`;
  return z
    .string({ error: message })
    .trim()
    .regex(/^\d{1,7}$/, { error: message })
    .transform(Number)
    .refine((v) => v >= range.min && v <= range.max, { error: message });
}

function archiveSchema(range: DayRange) {
  const message = `Archive period: enter from ${formatDays(range.min)} to ${formatDays(range.max)} (${n(Math.floor(range.max / 365.25))} years).`;
  return z
    .object({
      period: z
        .string({ error: message })
        .trim()
        .regex(/^\d{1,7}$/, { error: message })
        .transform(Number),
      unit: z.enum(["days", "years"] satisfies ArchiveUnit[], { error: "Archive period: choose days or years." }),
    })
    .transform(({ period, unit }) => (unit === "years" ? yearsToDays(period) : period))
    .refine((days) => days >= range.min && days <= range.max, { error: message });
}

export function retentionSettingsSchema(bounds: RetentionBounds) {
  const days = Object.fromEntries(
    auditCategory.enumValues.map((c) => [c, daysSchema(CATEGORY_LABELS[c], categoryRange(c, bounds))]),
  ) as Record<AuditCategory, ReturnType<typeof daysSchema>>;
  return z.object({
    days: z.object(days),
    archiveEnabled: z.boolean(),
    archive: archiveSchema(bounds.archive),
  });
}

function text(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === "string" ? value : undefined;
}

/** Reads the form's fields (`days.<category>`, `archiveEnabled`, `archivePeriod`, `archiveUnit`). */
export function parseRetentionSettings(
  form: FormData,
  bounds: RetentionBounds,
): { success: true; data: RetentionSettingsInput } | { success: false; fieldErrors: FieldErrors } {
  const raw = {
    days: Object.fromEntries(auditCategory.enumValues.map((c) => [c, text(form, `days.${c}`)])),
    archiveEnabled: text(form, "archiveEnabled") === "on",
    archive: { period: text(form, "archivePeriod"), unit: text(form, "archiveUnit") ?? "days" },
  };
  const parsed = retentionSettingsSchema(bounds).safeParse(raw);
  if (parsed.success) {
    return {
      success: true,
      data: { days: parsed.data.days, archive: { enabled: parsed.data.archiveEnabled, days: parsed.data.archive } },
    };
  }
  const fieldErrors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const [head, second] = issue.path;
    const field = head === "days" ? `days.${String(second)}` : head === "archive" ? "archivePeriod" : String(head);
    fieldErrors[field] ??= issue.message;
  }
  return { success: false, fieldErrors };
}
