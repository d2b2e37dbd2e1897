"use server";

import { and, eq, inArray } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import type { Transaction } from "@/db/client";
import type { AuditPermission } from "@/db/schema/enums";
import { accessRequests, memberships, permissionGrants } from "@/db/schema";
import { accessEntry } from "@/lib/access-requests/access-entry";
import { GRANTS_FOR_REQUEST } from "@/lib/access-requests/requested-permission";
import { refuse } from "@/lib/actions/action-refusal";
import { orgAction } from "@/lib/actions/org-action";
import type { OrgAccess } from "@/lib/auth/access";
import { grantablePermissions, permissionSnapshot, ROLE_DEFAULT_GRANTS } from "@/lib/auth/permissions";
import { countAdminsForUpdate, loadMemberForUpdate } from "./member-state";
import {
  APPROVAL_GRANTS,
  approvalRefusal,
  grantRefusal,
  grantsForRole,
  MESSAGES,
  notGrantableMessage,
  revokeRefusal,
  roleChangeRefusal,
  type Actor,
  type MemberState,
} from "./rules";
import { permissionChangeSchema, requestDecisionSchema, roleChangeSchema } from "./schemas";
import type { AccessMember } from "./types";

/*
 * Every action here runs through orgAction: the request's origin, the input's shape, the session,
 * membership of the organization and audit.manage (re-read from the database), then the
 * invariants inside the transaction that makes the change and writes its audit entry. A refusal
 * inside the transaction rolls it back.
 */

function toActor(access: OrgAccess): Actor {
  return { userId: access.user.id, role: access.role, permissions: access.permissions };
}

function toMember(member: MemberState, role = member.role, grants = member.grants): AccessMember {
  return { userId: member.userId, name: member.name, email: member.email, ...permissionSnapshot(role, grants) };
}

function revalidateOrg(org: OrgAccess["org"]): void {
  // The whole organization's subtree: the page itself and the sidebar's pending-request badge.
  revalidatePath(`/orgs/${org.slug}`, "layout");
}

const MANAGE = { permission: "audit.manage", transaction: true, revalidate: revalidateOrg } as const;

async function lockMember(tx: Transaction, orgId: string, userId: string): Promise<MemberState> {
  const member = await loadMemberForUpdate(tx, orgId, userId);
  if (!member) refuse(MESSAGES.memberNotFound);
  return member;
}

// The entry for one permission granted or revoked: who, on whom, and the member's grants before and after.
function permissionEntry(
  access: OrgAccess,
  target: MemberState,
  permission: AuditPermission,
  grants: AuditPermission[],
  granted: boolean,
) {
  return accessEntry({
    action: granted ? "grant_permission" : "revoke_permission",
    description: `${access.user.email} ${granted ? "granted" : "revoked"} ${permission} ${granted ? "to" : "from"} ${target.email}`,
    target: { id: target.userId, name: target.email },
    params: { permission },
    before: permissionSnapshot(target.role, target.grants),
    after: permissionSnapshot(target.role, grants),
  });
}

export const grantPermission = orgAction(
  { name: "grantPermission", schema: permissionChangeSchema, ...MANAGE },
  async (input, { access, db: tx, record }): Promise<AccessMember> => {
    const { userId, permission } = input;
    const target = await lockMember(tx, access.org.id, userId);
    const refusal = grantRefusal(toActor(access), target, permission);
    if (refusal) refuse(refusal);
    if (target.grants.includes(permission)) return toMember(target);
    await tx
      .insert(permissionGrants)
      .values({ orgId: access.org.id, userId, permission, grantedBy: access.user.id })
      .onConflictDoNothing();
    const grants = [...target.grants, permission];
    await record(permissionEntry(access, target, permission, grants, true));
    return toMember(target, target.role, grants);
  },
);

export const revokePermission = orgAction(
  { name: "revokePermission", schema: permissionChangeSchema, ...MANAGE },
  async (input, { access, db: tx, record }): Promise<AccessMember> => {
    const { userId, permission } = input;
    const target = await lockMember(tx, access.org.id, userId);
    const refusal = revokeRefusal(toActor(access), target);
    if (refusal) refuse(refusal);
    if (!target.grants.includes(permission)) return toMember(target);
    await tx
      .delete(permissionGrants)
      .where(
        and(
          eq(permissionGrants.orgId, access.org.id),
          eq(permissionGrants.userId, userId),
          eq(permissionGrants.permission, permission),
        ),
      );
    const grants = target.grants.filter((p) => p !== permission);
    await record(permissionEntry(access, target, permission, grants, false));
    return toMember(target, target.role, grants);
  },
);

export const changeRole = orgAction(
  { name: "changeRole", schema: roleChangeSchema, ...MANAGE },
  async (input, { access, db: tx, record }): Promise<AccessMember> => {
    if (access.role !== "admin") refuse(MESSAGES.adminsOnly);
    const { userId, role } = input;
    const adminCount = await countAdminsForUpdate(tx, access.org.id);
    const target = await lockMember(tx, access.org.id, userId);
    const refusal = roleChangeRefusal(toActor(access), target, role, adminCount);
    if (refusal) refuse(refusal);
    if (target.role === role) return toMember(target);
    const { keep, add, remove } = grantsForRole(role, target.grants, ROLE_DEFAULT_GRANTS[role]);
    await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.orgId, access.org.id), eq(memberships.userId, userId)));
    if (remove.length > 0) {
      // A grant the new role may not hold is dropped, so a later promotion does not revive it silently.
      await tx
        .delete(permissionGrants)
        .where(
          and(
            eq(permissionGrants.orgId, access.org.id),
            eq(permissionGrants.userId, userId),
            inArray(permissionGrants.permission, remove),
          ),
        );
    }
    if (add.length > 0) {
      await tx
        .insert(permissionGrants)
        .values(add.map((permission) => ({ orgId: access.org.id, userId, permission, grantedBy: access.user.id })))
        .onConflictDoNothing();
    }
    const grants = [...keep, ...add];
    await record(
      accessEntry({
        action: "change_role",
        description: `${access.user.email} changed the role of ${target.email} from ${target.role} to ${role}`,
        target: { id: target.userId, name: target.email },
        params: { from: target.role, to: role },
        before: permissionSnapshot(target.role, target.grants),
        after: permissionSnapshot(role, grants),
      }),
    );
    return toMember(target, role, grants);
  },
);

async function lockPendingRequest(tx: Transaction, orgId: string, requestId: string) {
  const [request] = await tx
    .select({
      id: accessRequests.id,
      userId: accessRequests.userId,
      status: accessRequests.status,
      message: accessRequests.message,
      permission: accessRequests.permission,
    })
    .from(accessRequests)
    .where(and(eq(accessRequests.orgId, orgId), eq(accessRequests.id, requestId)))
    .for("update");
  if (!request) refuse(MESSAGES.requestNotFound);
  if (request.status !== "pending") refuse(MESSAGES.requestDecided);
  return request;
}

interface DecidedRequest {
  id: string;
  status: "approved" | "declined";
}

export const approveAccessRequest = orgAction(
  { name: "approveAccessRequest", schema: requestDecisionSchema, ...MANAGE },
  async (input, { access, db: tx, record }): Promise<DecidedRequest> => {
    const request = await lockPendingRequest(tx, access.org.id, input.requestId);
    const refusal = approvalRefusal(toActor(access), request.userId);
    if (refusal) refuse(refusal);
    const requester = await loadMemberForUpdate(tx, access.org.id, request.userId);
    if (!requester) refuse(MESSAGES.noLongerMember);
    const allowed = grantablePermissions(requester.role);
    const asked = request.permission === "audit.manage" ? GRANTS_FOR_REQUEST["audit.manage"] : APPROVAL_GRANTS;
    // A member asking to manage (or demoted since asking) cannot hold it: say so, grant nothing.
    const notGrantable = asked.find((p) => !allowed.includes(p));
    if (notGrantable) refuse(notGrantableMessage(requester.role, notGrantable));
    const added = requester.role === "admin" ? [] : asked.filter((p) => !requester.grants.includes(p));
    if (added.length > 0) {
      await tx
        .insert(permissionGrants)
        .values(
          added.map((permission) => ({
            orgId: access.org.id,
            userId: requester.userId,
            permission,
            grantedBy: access.user.id,
          })),
        )
        .onConflictDoNothing();
    }
    await tx
      .update(accessRequests)
      .set({ status: "approved", decidedBy: access.user.id, decidedAt: new Date() })
      .where(and(eq(accessRequests.orgId, access.org.id), eq(accessRequests.id, request.id)));
    await record(
      accessEntry({
        action: "approve_access_request",
        description: `${access.user.email} approved the access request of ${requester.email}`,
        target: { id: requester.userId, name: requester.email },
        params: { requestId: request.id, message: request.message, granted: added },
        before: permissionSnapshot(requester.role, requester.grants),
        after: permissionSnapshot(requester.role, [...requester.grants, ...added]),
      }),
    );
    return { id: request.id, status: "approved" as const };
  },
);

export const declineAccessRequest = orgAction(
  { name: "declineAccessRequest", schema: requestDecisionSchema, ...MANAGE },
  async (input, { access, db: tx, record }): Promise<DecidedRequest> => {
    const request = await lockPendingRequest(tx, access.org.id, input.requestId);
    if (request.userId === access.user.id) refuse(MESSAGES.ownRequest);
    const requester = await loadMemberForUpdate(tx, access.org.id, request.userId);
    await tx
      .update(accessRequests)
      .set({ status: "declined", decidedBy: access.user.id, decidedAt: new Date() })
      .where(and(eq(accessRequests.orgId, access.org.id), eq(accessRequests.id, request.id)));
    const unchanged = requester ? permissionSnapshot(requester.role, requester.grants) : null;
    await record(
      accessEntry({
        action: "decline_access_request",
        description: `${access.user.email} declined the access request of ${requester?.email ?? request.userId}`,
        target: { id: request.userId, name: requester?.email ?? request.userId },
        params: { requestId: request.id, message: request.message },
        before: unchanged,
        after: unchanged,
      }),
    );
    return { id: request.id, status: "declined" as const };
  },
);
