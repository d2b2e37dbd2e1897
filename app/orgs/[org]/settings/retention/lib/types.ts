import type { AuditCategory } from "@/db/schema/enums";
import type { ActionResult, ActionState } from "@/lib/action-result";

/*
 * What the settings form is given and what its action answers. Plain data (no server imports), so
 * the client form can use the types.
 */

export interface DayRangeDto {
  min: number;
  max: number;
}

export interface CategoryFieldDto {
  category: AuditCategory;
  label: string;
  /** The value that applies now. */
  days: number;
  /** A saved value below a minimum the deployment has since raised; `days` is the minimum. */
  storedBelowMinimum: number | null;
}

export interface GroupDto {
  id: "security" | "operational";
  label: string;
  description: string;
  range: DayRangeDto;
  defaultDays: number;
  categories: CategoryFieldDto[];
}

export type ArchiveUnit = "days" | "years";

export interface RetentionFormModel {
  orgSlug: string;
  groups: GroupDto[];
  archive: {
    enabled: boolean;
    days: number;
    range: DayRangeDto;
    defaultDays: number;
  };
}

export type { FieldErrors } from "@/lib/action-result";

export interface SavedRetention {
  changed: boolean;
  savedAt: string;
}

export type SaveRetentionResult = ActionResult<SavedRetention>;

/** The useActionState state: nothing submitted yet, or the last answer. */
export type SaveRetentionState = ActionState<SavedRetention>;
