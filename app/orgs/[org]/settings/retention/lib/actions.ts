"use server";

import { eq, sql } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { getDb } from "@/db/client";
import { archiveSettings, retentionPolicies } from "@/db/schema";
import { auditCategory, type AuditCategory } from "@/db/schema/enums";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { authorizeAction } from "@/lib/auth/access";
import { clientIp, userAgent } from "@/lib/auth/request-context";
import { loadOrgRetention, type OrgRetention } from "@/lib/retention/load-policy";
import { retentionBounds } from "@/lib/retention/policy";
import { assertSameOrigin } from "@/lib/security/same-origin";
import { parseRetentionSettings, type RetentionSettingsInput } from "./schema";
import type { SaveRetentionState } from "./types";

interface PolicySnapshot {
  retentionDays: Record<AuditCategory, number>;
  archive: { enabled: boolean; days: number };
}

function snapshotOf(policy: OrgRetention): PolicySnapshot {
  return {
    retentionDays: Object.fromEntries(auditCategory.enumValues.map((c) => [c, policy.categories[c].days])) as Record<
      AuditCategory,
      number
    >,
    archive: { enabled: policy.archive.enabled, days: policy.archive.days },
  };
}

function snapshotFromInput(input: RetentionSettingsInput): PolicySnapshot {
  return { retentionDays: { ...input.days }, archive: { ...input.archive } };
}

function changedFields(before: PolicySnapshot, after: PolicySnapshot): string[] {
  const changed: string[] = auditCategory.enumValues.filter((c) => before.retentionDays[c] !== after.retentionDays[c]);
  if (before.archive.enabled !== after.archive.enabled) changed.push("archive.enabled");
  if (before.archive.days !== after.archive.days) changed.push("archive.days");
  return changed;
}

/**
 * Saves the whole retention and archive policy of an organization (form fields `orgSlug`,
 * `days.<category>`, `archiveEnabled`, `archivePeriod`, `archiveUnit`). Needs audit.manage. Any
 * value outside its allowed range refuses the whole submission, with a message per field.
 * A change is written to the audit log (category audit, level notice) with the policy before and
 * after, in the same transaction as the change.
 */
export async function saveRetentionSettings(
  _previous: SaveRetentionState,
  form: FormData,
): Promise<SaveRetentionState> {
  await assertSameOrigin();
  const orgSlug = form.get("orgSlug");
  if (typeof orgSlug !== "string" || orgSlug === "" || orgSlug.length > 100)
    return { error: "Organization not found." };
  const auth = await authorizeAction(orgSlug, "audit.manage");
  if (auth.error !== undefined) return { error: auth.error };
  const { access } = auth;

  const bounds = retentionBounds();
  const parsed = parseRetentionSettings(form, bounds);
  if (!parsed.success) {
    const count = Object.keys(parsed.fieldErrors).length;
    return {
      error: `Nothing was saved: ${count === 1 ? "one value is" : `${count} values are`} outside the allowed range.`,
      fieldErrors: parsed.fieldErrors,
    };
  }
  const input = parsed.data;
  const requestHeaders = await headers();
  const orgId = access.org.id;

  const changed = await getDb().transaction(async (tx) => {
    // The archive settings row serializes concurrent saves of one organization, so "before" is
    // what this save replaced.
    await tx.insert(archiveSettings).values({ orgId }).onConflictDoNothing();
    await tx
      .select({ orgId: archiveSettings.orgId })
      .from(archiveSettings)
      .where(eq(archiveSettings.orgId, orgId))
      .for("update");
    const before = snapshotOf(await loadOrgRetention(orgId, { db: tx, bounds }));
    const after = snapshotFromInput(input);
    const fields = changedFields(before, after);
    if (fields.length === 0) return false;

    await tx
      .insert(retentionPolicies)
      .values(auditCategory.enumValues.map((category) => ({ orgId, category, days: input.days[category] })))
      .onConflictDoUpdate({
        target: [retentionPolicies.orgId, retentionPolicies.category],
        set: { days: sql`excluded.days`, updatedAt: sql`now()` },
      });
    await tx
      .update(archiveSettings)
      .set({ enabled: input.archive.enabled, archiveDays: input.archive.days, updatedAt: new Date() })
      .where(eq(archiveSettings.orgId, orgId));
    await recordAuditEvent(
      orgId,
      {
        occurredAt: new Date().toISOString(),
        actor: { id: access.user.id, name: access.user.name, email: access.user.email },
        category: "audit",
        action: "update_retention",
        description: `Retention settings changed: ${fields.join(", ")}`,
        target: { type: "retention_policy", id: orgId, name: access.org.name },
        result: "done",
        level: "notice",
        service: "Retention settings",
        ip: clientIp(requestHeaders),
        userAgent: userAgent(requestHeaders),
        params: { changed: fields },
        before: { ...before },
        after: { ...after },
      },
      tx,
    );
    return true;
  });

  if (changed) {
    revalidatePath(`/orgs/${access.org.slug}/settings/retention`);
    // The explorer's retention banner reads the policy too.
    revalidatePath(`/orgs/${access.org.slug}/audit-logs`);
  }
  return { data: { changed, savedAt: new Date().toISOString() } };
}
