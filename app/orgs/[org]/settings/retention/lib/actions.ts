"use server";

import { eq, sql } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { archiveSettings, retentionPolicies } from "@/db/schema";
import { auditCategory, type AuditCategory } from "@/db/schema/enums";
import { actionError } from "@/lib/action-result";
import { orgFormAction, type Parsed } from "@/lib/actions/org-action";
import { loadOrgRetention, type OrgRetention } from "@/lib/retention/load-policy";
import { retentionBounds, type RetentionBounds } from "@/lib/retention/policy";
import { parseRetentionSettings, type RetentionSettingsInput } from "./schema";
import type { SavedRetention } from "./types";

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

interface ParsedForm {
  settings: RetentionSettingsInput;
  bounds: RetentionBounds;
}

function parseForm(form: FormData): Parsed<ParsedForm> {
  const bounds = retentionBounds();
  const parsed = parseRetentionSettings(form, bounds);
  if (parsed.success) return { ok: true, input: { settings: parsed.data, bounds } };
  const count = Object.keys(parsed.fieldErrors).length;
  return {
    ok: false,
    failure: actionError(
      `Nothing was saved: ${count === 1 ? "one value is" : `${count} values are`} outside the allowed range.`,
      parsed.fieldErrors,
    ),
  };
}

/**
 * Saves the whole retention and archive policy of an organization (form fields `orgSlug`,
 * `days.<category>`, `archiveEnabled`, `archivePeriod`, `archiveUnit`). Needs audit.manage. Any
 * value outside its allowed range refuses the whole submission, with a message per field.
 * A change is written to the audit log (category audit, level notice) with the policy before and
 * after, in the same transaction as the change.
 */
export const saveRetentionSettings = orgFormAction(
  {
    name: "saveRetentionSettings",
    permission: "audit.manage",
    transaction: true,
    parse: parseForm,
    revalidate: (org, data: SavedRetention) => {
      if (!data.changed) return;
      revalidatePath(`/orgs/${org.slug}/settings/retention`);
      // The explorer's retention banner reads the policy too.
      revalidatePath(`/orgs/${org.slug}/audit-logs`);
    },
  },
  async ({ settings, bounds }, { org, db: tx, record }): Promise<SavedRetention> => {
    const orgId = org.id;
    // The archive settings row serializes concurrent saves of one organization, so "before" is
    // what this save replaced.
    await tx.insert(archiveSettings).values({ orgId }).onConflictDoNothing();
    await tx
      .select({ orgId: archiveSettings.orgId })
      .from(archiveSettings)
      .where(eq(archiveSettings.orgId, orgId))
      .for("update");
    const before = snapshotOf(await loadOrgRetention(orgId, { db: tx, bounds }));
    const after = snapshotFromInput(settings);
    const fields = changedFields(before, after);
    const savedAt = new Date().toISOString();
    if (fields.length === 0) return { changed: false, savedAt };

    await tx
      .insert(retentionPolicies)
      .values(auditCategory.enumValues.map((category) => ({ orgId, category, days: settings.days[category] })))
      .onConflictDoUpdate({
        target: [retentionPolicies.orgId, retentionPolicies.category],
        set: { days: sql`excluded.days`, updatedAt: sql`now()` },
      });
    await tx
      .update(archiveSettings)
      .set({ enabled: settings.archive.enabled, archiveDays: settings.archive.days, updatedAt: new Date() })
      .where(eq(archiveSettings.orgId, orgId));
    await record({
      category: "audit",
      action: "update_retention",
      description: `Retention settings changed: ${fields.join(", ")}`,
      service: "Retention settings",
      target: { type: "retention_policy", id: orgId, name: org.name },
      params: { changed: fields },
      before: { ...before },
      after: { ...after },
    });
    return { changed: true, savedAt };
  },
);
