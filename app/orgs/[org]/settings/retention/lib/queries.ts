import "server-only";

import { and, desc, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { auditLogs } from "@/db/schema";
import { CATEGORY_LABELS } from "@/lib/audit-log/labels";
import { loadOrgRetention } from "@/lib/retention/load-policy";
import {
  ARCHIVE_DEFAULT_DAYS,
  RETENTION_GROUPS,
  defaultDays,
  retentionBounds,
  type RetentionBounds,
} from "@/lib/retention/policy";
import type { RetentionFormModel } from "./types";

export async function loadRetentionFormModel(
  orgId: string,
  orgSlug: string,
  bounds: RetentionBounds = retentionBounds(),
): Promise<RetentionFormModel> {
  const policy = await loadOrgRetention(orgId, { bounds });
  return {
    orgSlug,
    groups: RETENTION_GROUPS.map((group) => {
      const range = bounds.groups[group.id];
      return {
        id: group.id,
        label: group.label,
        description: group.description,
        range,
        defaultDays: defaultDays(group.categories[0]!, bounds),
        categories: group.categories.map((category) => {
          const { days, stored } = policy.categories[category];
          return {
            category,
            label: CATEGORY_LABELS[category],
            days,
            storedBelowMinimum: stored !== null && stored < range.min ? stored : null,
          };
        }),
      };
    }),
    archive: {
      enabled: policy.archive.enabled,
      days: policy.archive.days,
      range: bounds.archive,
      defaultDays: ARCHIVE_DEFAULT_DAYS,
    },
  };
}

export interface LastRetentionRun {
  occurredAt: string;
  result: string;
  description: string | null;
}

/** The newest retention run's audit entry, to show when the policy was last applied. */
export async function lastRetentionRun(orgId: string): Promise<LastRetentionRun | null> {
  const [row] = await getDb()
    .select({ occurredAt: auditLogs.occurredAt, result: auditLogs.result, description: auditLogs.description })
    .from(auditLogs)
    .where(and(eq(auditLogs.orgId, orgId), eq(auditLogs.category, "audit"), eq(auditLogs.action, "retention_run")))
    .orderBy(desc(auditLogs.occurredAt), desc(auditLogs.id))
    .limit(1);
  return row ? { occurredAt: row.occurredAt.toISOString(), result: row.result, description: row.description } : null;
}
