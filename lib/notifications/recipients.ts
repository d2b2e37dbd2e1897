import "server-only";

import { and, eq, inArray } from "drizzle-orm";
import { getDb, type Executor } from "@/db/client";
import { memberships, permissionGrants, users, type AuditPermission } from "@/db/schema";
import { effectivePermissions } from "@/lib/auth/permissions";

/*
 * An e-mail carries log data, so each recipient must hold audit.view in the organization when
 * the message is sent (read from the database then, like every permission check): a member who
 * lost it, or left, since the channel was set up is skipped.
 */

export interface RecipientCheck {
  allowed: { id: string; email: string }[];
  /** E-mail (or id, for a user that no longer exists) of each one skipped. */
  skipped: string[];
}

export async function checkRecipients(
  orgId: string,
  userIds: readonly string[],
  db: Executor = getDb(),
): Promise<RecipientCheck> {
  if (userIds.length === 0) return { allowed: [], skipped: [] };
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      role: memberships.role,
      permission: permissionGrants.permission,
    })
    .from(users)
    .leftJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.orgId, orgId)))
    .leftJoin(permissionGrants, and(eq(permissionGrants.userId, users.id), eq(permissionGrants.orgId, orgId)))
    .where(inArray(users.id, [...userIds]));
  const byUser = new Map<string, { email: string; role: (typeof rows)[number]["role"]; grants: AuditPermission[] }>();
  for (const row of rows) {
    const known = byUser.get(row.id) ?? { email: row.email, role: row.role, grants: [] };
    if (row.permission) known.grants.push(row.permission);
    byUser.set(row.id, known);
  }
  const allowed: RecipientCheck["allowed"] = [];
  const skipped: string[] = [];
  for (const id of new Set(userIds)) {
    const user = byUser.get(id);
    if (!user) skipped.push(id);
    else if (user.role !== null && effectivePermissions(user.role, user.grants).has("audit.view"))
      allowed.push({ id, email: user.email });
    else skipped.push(user.email);
  }
  return { allowed, skipped };
}
