import { auditCategory, type AuditCategory } from "@/db/schema/enums";
import { env } from "@/lib/env";
import { MAX_RETENTION_DAYS } from "./limits";

/*
 * Retention rules: the two groups of the KIOPS guide, their defaults, and the allowed range of a
 * category's retention. Pure (no database), so the settings form, the server action, the run and
 * the tests all apply the very same numbers.
 *
 * The legal minimum is a floor the deployment can raise (a regulation may demand more) but never
 * lower: RETENTION_MIN_DAYS_SECURITY and RETENTION_MIN_DAYS_OPERATIONAL below the built-in floor
 * are ignored. A stored value that a raised minimum has overtaken is not trusted: the run applies
 * the minimum, so raising it takes effect without anyone re-saving the settings.
 */

export const DAY_MS = 86_400_000;

export type RetentionGroupId = "security" | "operational";

export interface RetentionGroup {
  id: RetentionGroupId;
  label: string;
  description: string;
  categories: readonly AuditCategory[];
  defaultDays: number;
  /** Built-in legal floor; the environment may raise it. */
  floorDays: number;
  envVar: RetentionMinimumVar;
}

type RetentionMinimumVar = "RETENTION_MIN_DAYS_SECURITY" | "RETENTION_MIN_DAYS_OPERATIONAL";
/** The deployment's raised minimums: lib/env.ts's validated numbers, or raw strings in tests. */
export type RetentionMinimums = Partial<Record<RetentionMinimumVar, string | number | undefined>>;

const SECURITY_CATEGORIES: readonly AuditCategory[] = ["auth", "user", "organization", "audit", "secret", "vpn"];

export const RETENTION_GROUPS: readonly RetentionGroup[] = [
  {
    id: "security",
    label: "Security-sensitive",
    description:
      "Sign-ins, accounts, organization settings, audit settings, secrets and VPN: kept longer for security audits.",
    categories: SECURITY_CATEGORIES,
    defaultDays: 365,
    floorDays: 90,
    envVar: "RETENTION_MIN_DAYS_SECURITY",
  },
  {
    id: "operational",
    label: "Operational",
    description: "Services, infrastructure, backups, monitoring and the other operational categories.",
    // Every other category, in the contract's order.
    categories: auditCategory.enumValues.filter((c) => !SECURITY_CATEGORIES.includes(c)),
    defaultDays: 90,
    floorDays: 30,
    envVar: "RETENTION_MIN_DAYS_OPERATIONAL",
  },
];

export { MAX_RETENTION_DAYS };

// The archive period counts from when an entry leaves the live log (see runRetention).
export const ARCHIVE_DEFAULT_DAYS = 2557; // 7 years, the schema's default
export const ARCHIVE_MIN_DAYS = 30;
export const ARCHIVE_MAX_DAYS = 3653; // 10 years

export interface DayRange {
  min: number;
  max: number;
}

export interface RetentionBounds {
  groups: Record<RetentionGroupId, DayRange>;
  archive: DayRange;
}

export function groupOf(category: AuditCategory): RetentionGroup {
  return RETENTION_GROUPS.find((g) => g.categories.includes(category))!;
}

function raisedMinimum(group: RetentionGroup, raw: string | number | undefined): number {
  if (raw === undefined || String(raw).trim() === "") return group.floorDays;
  const value = Number(String(raw).trim());
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_RETENTION_DAYS) {
    // A compliance setting that cannot be read must not silently fall back to something shorter.
    throw new Error(
      `${group.envVar} must be a whole number of days between 1 and ${MAX_RETENTION_DAYS}, got "${raw}".`,
    );
  }
  return Math.max(group.floorDays, value);
}

/** The allowed ranges, with the deployment's raised minimums. Throws on a malformed setting. */
export function retentionBounds(minimums: RetentionMinimums = env): RetentionBounds {
  const groups = {} as Record<RetentionGroupId, DayRange>;
  for (const group of RETENTION_GROUPS) {
    groups[group.id] = { min: raisedMinimum(group, minimums[group.envVar]), max: MAX_RETENTION_DAYS };
  }
  return { groups, archive: { min: ARCHIVE_MIN_DAYS, max: ARCHIVE_MAX_DAYS } };
}

export function categoryRange(category: AuditCategory, bounds: RetentionBounds): DayRange {
  return bounds.groups[groupOf(category).id];
}

function clamp(value: number, range: DayRange): number {
  return Math.min(range.max, Math.max(range.min, value));
}

/** The group default, raised to the minimum when the deployment demands more. */
export function defaultDays(category: AuditCategory, bounds: RetentionBounds): number {
  return clamp(groupOf(category).defaultDays, categoryRange(category, bounds));
}

/** What the run applies: the stored value kept inside the allowed range, or the default. */
export function effectiveDays(
  category: AuditCategory,
  stored: number | null | undefined,
  bounds: RetentionBounds,
): number {
  if (stored === null || stored === undefined) return defaultDays(category, bounds);
  return clamp(stored, categoryRange(category, bounds));
}

export function effectiveArchiveDays(stored: number | null | undefined, bounds: RetentionBounds): number {
  return clamp(stored ?? ARCHIVE_DEFAULT_DAYS, bounds.archive);
}

/** Entries that occurred before this instant are past retention. */
export function cutoffFor(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

/* Years in the archive field: a year is 365.25 days, so 7 years is the default 2,557 days. */
export function yearsToDays(years: number): number {
  return Math.round(years * 365.25);
}

/** Whole years when the days are exactly some number of years, else null. */
export function daysAsWholeYears(days: number): number | null {
  const years = Math.round(days / 365.25);
  return years >= 1 && yearsToDays(years) === days ? years : null;
}

export function formatDays(days: number): string {
  return `${days.toLocaleString("en-US")} ${days === 1 ? "day" : "days"}`;
}
