import "server-only";

import { asc, eq } from "drizzle-orm";
import { getDb, type Executor } from "@/db/client";
import { archiveSettings, organizations, retentionPolicies } from "@/db/schema";
import { auditCategory, type AuditCategory } from "@/db/schema/enums";
import { effectiveArchiveDays, effectiveDays, retentionBounds, type RetentionBounds } from "./policy";

export interface CategoryRetention {
  /** What applies: the stored value within the allowed range, or the group default. */
  days: number;
  /** What the organization saved, if anything. */
  stored: number | null;
}

export interface OrgRetention {
  orgId: string;
  categories: Record<AuditCategory, CategoryRetention>;
  archive: { enabled: boolean; days: number; stored: number | null };
}

export interface OrgRetentionWithOrg extends OrgRetention {
  slug: string;
  name: string;
}

type PolicyRow = { orgId: string; category: AuditCategory; days: number };
type ArchiveRow = { orgId: string; enabled: boolean; archiveDays: number };

function assemble(
  orgId: string,
  policies: PolicyRow[],
  archive: ArchiveRow | undefined,
  bounds: RetentionBounds,
): OrgRetention {
  const stored = new Map(policies.map((p) => [p.category, p.days]));
  const categories = {} as Record<AuditCategory, CategoryRetention>;
  for (const category of auditCategory.enumValues) {
    const value = stored.get(category) ?? null;
    categories[category] = { days: effectiveDays(category, value, bounds), stored: value };
  }
  return {
    orgId,
    categories,
    archive: {
      enabled: archive?.enabled ?? false,
      days: effectiveArchiveDays(archive?.archiveDays, bounds),
      stored: archive?.archiveDays ?? null,
    },
  };
}

/** One organization's policy; an organization that never saved one gets the defaults. */
export async function loadOrgRetention(
  orgId: string,
  options: { db?: Executor; bounds?: RetentionBounds } = {},
): Promise<OrgRetention> {
  const db = options.db ?? getDb();
  const bounds = options.bounds ?? retentionBounds();
  const [policies, archive] = await Promise.all([
    db
      .select({ orgId: retentionPolicies.orgId, category: retentionPolicies.category, days: retentionPolicies.days })
      .from(retentionPolicies)
      .where(eq(retentionPolicies.orgId, orgId)),
    db
      .select({
        orgId: archiveSettings.orgId,
        enabled: archiveSettings.enabled,
        archiveDays: archiveSettings.archiveDays,
      })
      .from(archiveSettings)
      .where(eq(archiveSettings.orgId, orgId))
      .limit(1),
  ]);
  return assemble(orgId, policies, archive[0], bounds);
}

/** Every organization's policy, for the retention run. */
export async function loadAllOrgRetention(db: Executor, bounds: RetentionBounds): Promise<OrgRetentionWithOrg[]> {
  const [orgs, policies, archives] = await Promise.all([
    db
      .select({ id: organizations.id, slug: organizations.slug, name: organizations.name })
      .from(organizations)
      .orderBy(asc(organizations.slug)),
    db
      .select({ orgId: retentionPolicies.orgId, category: retentionPolicies.category, days: retentionPolicies.days })
      .from(retentionPolicies),
    db
      .select({
        orgId: archiveSettings.orgId,
        enabled: archiveSettings.enabled,
        archiveDays: archiveSettings.archiveDays,
      })
      .from(archiveSettings),
  ]);
  const policiesByOrg = new Map<string, PolicyRow[]>();
  for (const p of policies) policiesByOrg.set(p.orgId, [...(policiesByOrg.get(p.orgId) ?? []), p]);
  const archiveByOrg = new Map(archives.map((a) => [a.orgId, a]));
  return orgs.map((org) => ({
    ...assemble(org.id, policiesByOrg.get(org.id) ?? [], archiveByOrg.get(org.id), bounds),
    slug: org.slug,
    name: org.name,
  }));
}
