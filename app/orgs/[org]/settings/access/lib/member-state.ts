import "server-only";

import { and, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { memberships, permissionGrants, users } from "@/db/schema";
import type { MemberState } from "./rules";

/**
 * A member of this organization with their stored grants, row-locked for the rest of the
 * transaction. Another organization's member id finds nothing here, exactly like an unknown id.
 */
export async function loadMemberForUpdate(tx: Executor, orgId: string, userId: string): Promise<MemberState | null> {
  const [member] = await tx
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .for("update", { of: memberships });
  if (!member) return null;
  const grants = await tx
    .select({ permission: permissionGrants.permission })
    .from(permissionGrants)
    .where(and(eq(permissionGrants.orgId, orgId), eq(permissionGrants.userId, userId)));
  return { ...member, grants: grants.map((g) => g.permission) };
}

/**
 * The number of admins, with their membership rows locked: two admins demoting each other at the
 * same moment serialize here, and the second sees that only one admin would be left.
 */
export async function countAdminsForUpdate(tx: Executor, orgId: string): Promise<number> {
  const rows = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "admin")))
    .for("update");
  return rows.length;
}
