import "server-only";

import { and, asc, eq } from "drizzle-orm";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/db/client";
import {
  memberships,
  organizations,
  permissionGrants,
  users,
  type AuditPermission,
  type MemberRole,
} from "@/db/schema";
import { isSafeText } from "@/lib/validation/safe-text";
import { auth } from "./auth";
import { NO_PERMISSION_TEXT } from "./messages";
import { effectivePermissions } from "./permissions";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

export interface OrgAccess {
  user: SessionUser;
  org: { id: string; slug: string; name: string };
  role: MemberRole;
  permissions: ReadonlySet<AuditPermission>;
}

export type AccessDenial = "unauthenticated" | "not-found" | "forbidden";
export type AccessResult = { ok: true; access: OrgAccess } | { ok: false; reason: AccessDenial; access?: OrgAccess };

/*
 * Everything here reads the database on every request (deduplicated within one request by React's
 * cache): a revoked grant or removed membership takes effect at the very next request, whatever
 * the session cookie says.
 */
export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  const [user] = await getDb()
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(eq(users.id, id))
    .limit(1);
  return user ?? null;
});

export async function loadOrgAccess(user: SessionUser, orgSlug: string): Promise<OrgAccess | null> {
  // No organization has such a slug, and PostgreSQL would refuse the query (a 500) rather than say so.
  if (!isSafeText(orgSlug)) return null;
  const rows = await getDb()
    .select({
      orgId: organizations.id,
      slug: organizations.slug,
      name: organizations.name,
      role: memberships.role,
      permission: permissionGrants.permission,
    })
    .from(organizations)
    .innerJoin(memberships, and(eq(memberships.orgId, organizations.id), eq(memberships.userId, user.id)))
    .leftJoin(permissionGrants, and(eq(permissionGrants.orgId, organizations.id), eq(permissionGrants.userId, user.id)))
    .where(eq(organizations.slug, orgSlug));
  const first = rows[0];
  if (!first) return null;
  const grants = rows.map((r) => r.permission).filter((p): p is AuditPermission => p !== null);
  return {
    user,
    org: { id: first.orgId, slug: first.slug, name: first.name },
    role: first.role,
    permissions: effectivePermissions(first.role, grants),
  };
}

/** The caller's access to an organization. Not a member and no such organization look the same. */
export const getOrgAccess = cache(async (orgSlug: string): Promise<AccessResult> => {
  const user = await getSessionUser();
  if (!user) return { ok: false, reason: "unauthenticated" };
  const access = await loadOrgAccess(user, orgSlug);
  if (!access) return { ok: false, reason: "not-found" };
  return { ok: true, access };
});

export async function requirePermission(orgSlug: string, permission: AuditPermission): Promise<AccessResult> {
  const result = await getOrgAccess(orgSlug);
  if (!result.ok) return result;
  if (!result.access.permissions.has(permission)) return { ok: false, reason: "forbidden", access: result.access };
  return result;
}

/**
 * For pages: signed-out visitors go to sign-in and come back; non-members get the not-found page.
 * Returns the access and whether the permission is held, so the page can show the notice.
 */
export async function requirePageAccess(
  orgSlug: string,
  permission: AuditPermission | null,
  returnTo: string,
): Promise<{ access: OrgAccess; allowed: boolean }> {
  const result = await getOrgAccess(orgSlug);
  if (!result.ok) {
    if (result.reason === "unauthenticated") redirect(`/login?callbackUrl=${encodeURIComponent(returnTo)}`);
    notFound();
  }
  return { access: result.access, allowed: permission === null || result.access.permissions.has(permission) };
}

/** The user's organizations, first by name; "/" sends people to the first. */
export async function listUserOrganizations(userId: string) {
  return getDb()
    .select({ id: organizations.id, slug: organizations.slug, name: organizations.name, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(organizations.name));
}

/** For server actions: a user-facing error, or the access. A null permission asks for membership only. */
export async function authorizeAction(
  orgSlug: string,
  permission: AuditPermission | null,
): Promise<{ access: OrgAccess; error?: undefined } | { error: string; access?: undefined }> {
  const result = permission === null ? await getOrgAccess(orgSlug) : await requirePermission(orgSlug, permission);
  if (result.ok) return { access: result.access };
  if (result.reason === "unauthenticated") return { error: "Your session has ended. Sign in again." };
  if (result.reason === "not-found") return { error: "Organization not found." };
  return { error: NO_PERMISSION_TEXT };
}
