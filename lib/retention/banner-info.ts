import "server-only";

import type { Executor } from "@/db/client";
import { auditCategory, type AuditCategory } from "@/db/schema/enums";
import { loadOrgRetention } from "./load-policy";
import { cutoffFor, retentionBounds, type RetentionBounds } from "./policy";

export interface RemovedCategory {
  category: AuditCategory;
  /** Entries of the category older than this were removed (ISO). */
  cutoff: string;
  days: number;
}

export interface RetentionBannerInfo {
  /** Selected categories whose retention cutoff lies inside the selected period. */
  removedCategories: RemovedCategory[];
  archiveEnabled: boolean;
  /** Which store the cutoffs are about: the live log, or the archive (its own, longer period). */
  scope: "live" | "archive";
}

/**
 * For the explorer's banner: which selected categories the selected period reaches past the
 * retention of. In the archive, the cutoff is retention + archive period (runRetention's rule).
 * `from` null is an open period (from the beginning); `categories` empty or absent means every
 * category.
 */
export async function retentionBannerInfo(
  orgId: string,
  options: {
    from: Date | string | null;
    categories?: readonly AuditCategory[];
    scope?: "live" | "archive";
    now?: Date;
    db?: Executor;
    bounds?: RetentionBounds;
  },
): Promise<RetentionBannerInfo> {
  const scope = options.scope ?? "live";
  const policy = await loadOrgRetention(orgId, { db: options.db, bounds: options.bounds ?? retentionBounds() });
  const base = { archiveEnabled: policy.archive.enabled, scope };
  // No start (an open period) reaches past every cutoff.
  const from = options.from === null ? new Date(-8.64e15) : new Date(options.from);
  if (Number.isNaN(from.getTime())) return { ...base, removedCategories: [] };
  const now = options.now ?? new Date();
  const selected = options.categories?.length ? options.categories : auditCategory.enumValues;
  const removedCategories: RemovedCategory[] = [];
  for (const category of auditCategory.enumValues) {
    if (!selected.includes(category)) continue;
    const days = policy.categories[category].days + (scope === "archive" ? policy.archive.days : 0);
    const cutoff = cutoffFor(now, days);
    if (from < cutoff) removedCategories.push({ category, cutoff: cutoff.toISOString(), days });
  }
  return { ...base, removedCategories };
}
