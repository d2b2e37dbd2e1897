import "server-only";

import { eq, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { retentionApplied } from "@/db/schema";
import { auditCategory, type AuditCategory } from "@/db/schema/enums";
import type { OrgRetentionWithOrg } from "./load-policy";
import { cutoffFor } from "./policy";
import type { OrgRunReport } from "./run-retention";

/*
 * What retention runs have applied (the retention_applied table): written by each run that
 * completes, read by the explorer's banner. A cutoff never moves back: a run under a longer
 * retention leaves the earlier, later cutoff, since what it removed stays removed.
 */

export interface AppliedRetention {
  liveCutoff: Date;
  archiveCutoff: Date;
  removed: number;
  archivePurged: number;
  ranAt: Date;
}

/** Records a completed run's cutoffs and counts for every organization and category it covered. */
export async function recordRetentionApplied(
  db: Executor,
  orgs: readonly OrgRetentionWithOrg[],
  reports: readonly OrgRunReport[],
  now: Date,
  ranAt: Date = new Date(),
): Promise<void> {
  const rows = orgs.flatMap((org) => {
    const counts = reports.find((r) => r.orgId === org.orgId)?.counts;
    return auditCategory.enumValues.map((category) => ({
      orgId: org.orgId,
      category,
      liveCutoff: cutoffFor(now, org.categories[category].days),
      archiveCutoff: cutoffFor(now, org.categories[category].days + org.archive.days),
      removed: (counts?.[category].deleted ?? 0) + (counts?.[category].archived ?? 0),
      archivePurged: counts?.[category].archivePurged ?? 0,
      ranAt,
    }));
  });
  if (rows.length === 0) return;
  await db
    .insert(retentionApplied)
    .values(rows)
    .onConflictDoUpdate({
      target: [retentionApplied.orgId, retentionApplied.category],
      set: {
        liveCutoff: sql`greatest(${retentionApplied.liveCutoff}, excluded.live_cutoff)`,
        archiveCutoff: sql`greatest(${retentionApplied.archiveCutoff}, excluded.archive_cutoff)`,
        removed: sql`excluded.removed`,
        archivePurged: sql`excluded.archive_purged`,
        ranAt: sql`excluded.ran_at`,
      },
    });
}

/** The organization's applied retention by category; a category no run has covered is absent. */
export async function loadRetentionApplied(
  db: Executor,
  orgId: string,
): Promise<Partial<Record<AuditCategory, AppliedRetention>>> {
  const rows = await db.select().from(retentionApplied).where(eq(retentionApplied.orgId, orgId));
  return Object.fromEntries(
    rows.map((r) => [
      r.category,
      {
        liveCutoff: r.liveCutoff,
        archiveCutoff: r.archiveCutoff,
        removed: r.removed,
        archivePurged: r.archivePurged,
        ranAt: r.ranAt,
      },
    ]),
  );
}
