import { auditPermission, type AuditPermission, type MemberRole } from "@/db/schema/enums";

export const AUDIT_PERMISSIONS = auditPermission.enumValues;

// Written as grants when a membership gets the role, so they can be revoked like any other grant.
export const ROLE_DEFAULT_GRANTS: Record<MemberRole, readonly AuditPermission[]> = {
  admin: [],
  manager: ["audit.view", "audit.export"],
  member: [],
};

// What each role may hold at all; a grant outside it is ignored.
const GRANTABLE: Record<MemberRole, readonly AuditPermission[]> = {
  admin: AUDIT_PERMISSIONS,
  manager: AUDIT_PERMISSIONS,
  member: ["audit.view", "audit.export"],
};

export function grantablePermissions(role: MemberRole): readonly AuditPermission[] {
  return GRANTABLE[role];
}

export function effectivePermissions(role: MemberRole, grants: readonly AuditPermission[]): Set<AuditPermission> {
  if (role === "admin") return new Set(AUDIT_PERMISSIONS);
  return new Set(grants.filter((permission) => GRANTABLE[role].includes(permission)));
}

// A type alias, not an interface, so it fits the audit entry's JSON before/after fields.
export type PermissionSnapshot = {
  role: MemberRole;
  permissions: AuditPermission[];
};

/** What a member holds, in the enum's order: the before/after of permission changes. */
export function permissionSnapshot(role: MemberRole, grants: readonly AuditPermission[]): PermissionSnapshot {
  const held = effectivePermissions(role, grants);
  return { role, permissions: AUDIT_PERMISSIONS.filter((p) => held.has(p)) };
}
