import "server-only";

import { getDb, type Executor } from "@/db/client";
import { auditCategory, type AuditCategory } from "@/db/schema/enums";
import { env } from "@/lib/env";
import { loadRetentionApplied } from "./applied";
import { loadOrgRetention } from "./load-policy";
import { cutoffFor, retentionBounds, type RetentionBounds } from "./policy";

/** Entries of the category older than `cutoff` were removed by the run at `ranAt` (ISO). */
export interface RemovedCategory {
  category: AuditCategory;
  cutoff: string;
  /** The retention that applies now. */
  days: number;
  ranAt: string;
}

/** Entries of the category from `from` (null: from the beginning) to `cutoff` are past retention but still kept. */
export interface PendingCategory {
  category: AuditCategory;
  from: string | null;
  cutoff: string;
  days: number;
}

export interface RetentionBannerInfo {
  /** Selected categories whose removed entries the selected period reaches back to. */
  removedCategories: RemovedCategory[];
  /** Selected categories whose entries past retention, in the selected period, no run has removed yet. */
  pendingCategories: PendingCategory[];
  /** Whether the console runs retention itself (RETENTION_SCHEDULE); cron may run it too. */
  scheduled: boolean;
  archiveEnabled: boolean;
  /** Which store the cutoffs are about: the live log, or the archive (its own, longer period). */
  scope: "live" | "archive";
}

// Runs on a schedule leave up to one interval past the cutoff; a day's lag is not worth a line.
const PENDING_AFTER_MS = 86_400_000;

/**
 * For the explorer's banner: what the selected period reaches past, as it is. Entries are gone only
 * up to the cutoff the last completed retention run applied (retention_applied); entries past the
 * policy's cutoff that no run has removed are still in the log, and the banner says so. In the
 * archive, the cutoffs are retention + archive period (runRetention's rule). `from` null is an open
 * period; `categories` empty or absent means every category.
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
    scheduled?: boolean;
  },
): Promise<RetentionBannerInfo> {
  const scope = options.scope ?? "live";
  const db = options.db ?? getDb();
  const [policy, applied] = await Promise.all([
    loadOrgRetention(orgId, { db, bounds: options.bounds ?? retentionBounds() }),
    loadRetentionApplied(db, orgId),
  ]);
  const base = {
    archiveEnabled: policy.archive.enabled,
    scope,
    scheduled: options.scheduled ?? env.RETENTION_SCHEDULE !== null,
  };
  // No start (an open period) reaches past every cutoff.
  const from = options.from === null ? new Date(-8.64e15) : new Date(options.from);
  if (Number.isNaN(from.getTime())) return { ...base, removedCategories: [], pendingCategories: [] };
  const now = options.now ?? new Date();
  const selected = options.categories?.length ? options.categories : auditCategory.enumValues;
  const removedCategories: RemovedCategory[] = [];
  const pendingCategories: PendingCategory[] = [];
  for (const category of auditCategory.enumValues) {
    if (!selected.includes(category)) continue;
    const days = policy.categories[category].days + (scope === "archive" ? policy.archive.days : 0);
    const due = cutoffFor(now, days);
    const run = applied[category];
    const done = run ? (scope === "archive" ? run.archiveCutoff : run.liveCutoff) : null;
    if (run && done && from < done)
      removedCategories.push({ category, cutoff: done.toISOString(), days, ranAt: run.ranAt.toISOString() });
    if (from < due && (done === null || due.getTime() - done.getTime() > PENDING_AFTER_MS))
      pendingCategories.push({ category, from: done?.toISOString() ?? null, cutoff: due.toISOString(), days });
  }
  return { ...base, removedCategories, pendingCategories };
}
