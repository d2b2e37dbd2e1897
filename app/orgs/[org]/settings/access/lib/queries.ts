import "server-only";

import { and, asc, desc, eq, ne } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { getDb } from "@/db/client";
import { accessRequests, memberships, permissionGrants, users, type AuditPermission } from "@/db/schema";
import { permissionSnapshot } from "@/lib/auth/permissions";
import type { RequestedPermission } from "@/lib/access-requests/requested-permission";
import type { AccessMember, DecidedAccessRequest, PendingAccessRequest } from "./types";

// Only audit.view and audit.manage are ever asked for (rows from before default to audit.view).
const requestedPermission = (p: AuditPermission): RequestedPermission => (p === "audit.manage" ? p : "audit.view");

const ROLE_ORDER = { admin: 0, manager: 1, member: 2 } as const;

/** The organization's members with their role and what they hold, admins first, then by name. */
export async function listAccessMembers(orgId: string): Promise<AccessMember[]> {
  const rows = await getDb()
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      role: memberships.role,
      permission: permissionGrants.permission,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(
      permissionGrants,
      and(eq(permissionGrants.orgId, memberships.orgId), eq(permissionGrants.userId, memberships.userId)),
    )
    .where(eq(memberships.orgId, orgId))
    .orderBy(asc(users.name), asc(users.id));
  const byUser = new Map<
    string,
    { userId: string; name: string; email: string; role: AccessMember["role"]; grants: AuditPermission[] }
  >();
  for (const row of rows) {
    const member = byUser.get(row.userId) ?? {
      userId: row.userId,
      name: row.name,
      email: row.email,
      role: row.role,
      grants: [],
    };
    if (row.permission) member.grants.push(row.permission);
    byUser.set(row.userId, member);
  }
  return [...byUser.values()]
    .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role])
    .map(({ grants, ...member }) => ({ ...member, ...permissionSnapshot(member.role, grants) }));
}

export async function listPendingAccessRequests(orgId: string): Promise<PendingAccessRequest[]> {
  const rows = await getDb()
    .select({
      id: accessRequests.id,
      userId: accessRequests.userId,
      name: users.name,
      email: users.email,
      message: accessRequests.message,
      createdAt: accessRequests.createdAt,
      permission: accessRequests.permission,
    })
    .from(accessRequests)
    .innerJoin(users, eq(users.id, accessRequests.userId))
    .where(and(eq(accessRequests.orgId, orgId), eq(accessRequests.status, "pending")))
    .orderBy(asc(accessRequests.createdAt));
  return rows.map((r) => ({
    ...r,
    permission: requestedPermission(r.permission),
    createdAt: r.createdAt.toISOString(),
  }));
}

export async function listDecidedAccessRequests(orgId: string, limit = 10): Promise<DecidedAccessRequest[]> {
  const decider = alias(users, "decider");
  const rows = await getDb()
    .select({
      id: accessRequests.id,
      name: users.name,
      email: users.email,
      status: accessRequests.status,
      permission: accessRequests.permission,
      decidedAt: accessRequests.decidedAt,
      decidedByName: decider.name,
    })
    .from(accessRequests)
    .innerJoin(users, eq(users.id, accessRequests.userId))
    .leftJoin(decider, eq(decider.id, accessRequests.decidedBy))
    .where(and(eq(accessRequests.orgId, orgId), ne(accessRequests.status, "pending")))
    .orderBy(desc(accessRequests.decidedAt), desc(accessRequests.createdAt))
    .limit(limit);
  return rows.map((r) => ({
    ...r,
    status: r.status === "approved" ? "approved" : "declined",
    permission: requestedPermission(r.permission),
    decidedAt: r.decidedAt?.toISOString() ?? null,
  }));
}
