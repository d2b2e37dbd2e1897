import type { AuditPermission, MemberRole } from "@/db/schema/enums";
import { effectivePermissions, grantablePermissions } from "@/lib/auth/permissions";

/*
 * The invariants of the access page, as pure functions: each answers the user-facing reason a
 * change is refused, or null. The actions run them inside the transaction that makes the change.
 */

export interface Actor {
  userId: string;
  role: MemberRole;
  permissions: ReadonlySet<AuditPermission>;
}

export interface MemberState {
  userId: string;
  name: string;
  email: string;
  role: MemberRole;
  /** Stored grants; what the member holds is effectivePermissions(role, grants). */
  grants: AuditPermission[];
}

export const MESSAGES = {
  memberNotFound: "Member not found.",
  requestNotFound: "Access request not found.",
  requestDecided: "This request has already been decided.",
  ownPermissions: "You cannot change your own permissions. Ask another administrator.",
  ownRequest: "You cannot decide your own access request. Ask another administrator.",
  adminHoldsAll: "Admins always hold every audit permission. Change their role to limit it.",
  holdItYourself: "You can only grant permissions you hold yourself.",
  adminsOnly: "Only admins can change roles.",
  lastAdmin: "An organization always keeps at least one admin. Make someone else an admin first.",
  noLongerMember: "This person is no longer a member of the organization.",
} as const;

export function notGrantableMessage(role: MemberRole, permission: AuditPermission): string {
  return `A ${role} cannot hold ${permission}.${role === "member" ? " Make them a manager first." : ""}`;
}

export function grantRefusal(actor: Actor, target: MemberState, permission: AuditPermission): string | null {
  if (target.userId === actor.userId) return MESSAGES.ownPermissions;
  if (target.role === "admin") return MESSAGES.adminHoldsAll;
  if (!actor.permissions.has(permission)) return MESSAGES.holdItYourself;
  if (!grantablePermissions(target.role).includes(permission)) return notGrantableMessage(target.role, permission);
  return null;
}

// Taking a permission away never raises anyone's access, so holding it is not required.
export function revokeRefusal(actor: Actor, target: MemberState): string | null {
  if (target.userId === actor.userId) return MESSAGES.ownPermissions;
  if (target.role === "admin") return MESSAGES.adminHoldsAll;
  return null;
}

export function roleChangeRefusal(
  actor: Actor,
  target: MemberState,
  role: MemberRole,
  adminCount: number,
): string | null {
  if (actor.role !== "admin") return MESSAGES.adminsOnly;
  if (target.role === "admin" && role !== "admin" && adminCount <= 1) return MESSAGES.lastAdmin;
  return null;
}

/** The grants a member keeps and gains with a new role: the role's defaults, minus what it may not hold. */
export function grantsForRole(
  role: MemberRole,
  grants: readonly AuditPermission[],
  defaults: readonly AuditPermission[],
) {
  const allowed = grantablePermissions(role);
  const keep = grants.filter((p) => allowed.includes(p));
  const add = defaults.filter((p) => !keep.includes(p));
  const remove = grants.filter((p) => !allowed.includes(p));
  return { keep, add, remove };
}

/** What approving a request grants: view and export, which the approver must hold. */
export const APPROVAL_GRANTS: readonly AuditPermission[] = ["audit.view", "audit.export"];

/** Whether this person may approve requests at all: only by holding what an approval grants. */
export function approverRefusal(actor: Actor): string | null {
  return APPROVAL_GRANTS.every((p) => actor.permissions.has(p)) ? null : MESSAGES.holdItYourself;
}

export function approvalRefusal(actor: Actor, requesterId: string): string | null {
  if (requesterId === actor.userId) return MESSAGES.ownRequest;
  return approverRefusal(actor);
}

/** Why the viewer cannot flip this member's switch for the permission, whichever way it points now. */
export function switchRefusal(actor: Actor, target: MemberState, permission: AuditPermission): string | null {
  const held = effectivePermissions(target.role, target.grants).has(permission);
  return held ? revokeRefusal(actor, target) : grantRefusal(actor, target, permission);
}
