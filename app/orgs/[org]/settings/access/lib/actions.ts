"use server";

import { and, eq, inArray } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { getDb, type Transaction } from "@/db/client";
import { accessRequests, memberships, permissionGrants } from "@/db/schema";
import type { ActionResult } from "@/lib/action-result";
import { recordAccessEvent } from "@/lib/access-requests/record-access-event";
import { authorizeAction, type OrgAccess } from "@/lib/auth/access";
import { grantablePermissions, permissionSnapshot, ROLE_DEFAULT_GRANTS } from "@/lib/auth/permissions";
import { assertSameOrigin } from "@/lib/security/same-origin";
import { countAdminsForUpdate, loadMemberForUpdate } from "./member-state";
import {
  APPROVAL_GRANTS,
  approvalRefusal,
  grantRefusal,
  grantsForRole,
  MESSAGES,
  revokeRefusal,
  roleChangeRefusal,
  type Actor,
  type MemberState,
} from "./rules";
import {
  INVALID_INPUT_MESSAGE,
  permissionChangeSchema,
  requestDecisionSchema,
  roleChangeSchema,
  type PermissionChangeInput,
  type RequestDecisionInput,
  type RoleChangeInput,
} from "./schemas";
import type { AccessMember } from "./types";

/*
 * Every action here checks, itself and in this order: the request's origin, the input's shape, the
 * session, membership of the organization and audit.manage (re-read from the database), then the
 * invariants inside the transaction that makes the change and writes its audit entry.
 */

/** A refusal raised inside a transaction: rolls it back and becomes the action's error. */
class Refusal extends Error {}

async function inTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { data: await getDb().transaction(fn) };
  } catch (error) {
    if (error instanceof Refusal) return { error: error.message };
    throw error;
  }
}

function toActor(access: OrgAccess): Actor {
  return { userId: access.user.id, role: access.role, permissions: access.permissions };
}

function toMember(member: MemberState, role = member.role, grants = member.grants): AccessMember {
  return { userId: member.userId, name: member.name, email: member.email, ...permissionSnapshot(role, grants) };
}

function revalidateOrg(slug: string): void {
  // The whole organization's subtree: the page itself and the sidebar's pending-request badge.
  revalidatePath(`/orgs/${slug}`, "layout");
}

async function authorizeManager(
  orgSlug: string,
): Promise<{ access: OrgAccess; error?: undefined } | { error: string }> {
  const auth = await authorizeAction(orgSlug, "audit.manage");
  return auth.error !== undefined ? { error: auth.error } : { access: auth.access };
}

async function lockMember(tx: Transaction, orgId: string, userId: string): Promise<MemberState> {
  const member = await loadMemberForUpdate(tx, orgId, userId);
  if (!member) throw new Refusal(MESSAGES.memberNotFound);
  return member;
}

export async function grantPermission(
  orgSlug: string,
  input: PermissionChangeInput,
): Promise<ActionResult<AccessMember>> {
  await assertSameOrigin();
  const parsed = permissionChangeSchema.safeParse({ orgSlug, input });
  if (!parsed.success) return { error: INVALID_INPUT_MESSAGE };
  const auth = await authorizeManager(parsed.data.orgSlug);
  if (auth.error !== undefined) return auth;
  const { access } = auth;
  const { userId, permission } = parsed.data.input;
  const result = await inTransaction(async (tx) => {
    const target = await lockMember(tx, access.org.id, userId);
    const refusal = grantRefusal(toActor(access), target, permission);
    if (refusal) throw new Refusal(refusal);
    if (target.grants.includes(permission)) return toMember(target);
    await tx
      .insert(permissionGrants)
      .values({ orgId: access.org.id, userId, permission, grantedBy: access.user.id })
      .onConflictDoNothing();
    const grants = [...target.grants, permission];
    await recordAccessEvent(tx, access.org.id, access.user, {
      action: "grant_permission",
      description: `${access.user.email} granted ${permission} to ${target.email}`,
      target: { id: target.userId, name: target.email },
      params: { permission },
      before: permissionSnapshot(target.role, target.grants),
      after: permissionSnapshot(target.role, grants),
    });
    return toMember(target, target.role, grants);
  });
  if (result.data) revalidateOrg(access.org.slug);
  return result;
}

export async function revokePermission(
  orgSlug: string,
  input: PermissionChangeInput,
): Promise<ActionResult<AccessMember>> {
  await assertSameOrigin();
  const parsed = permissionChangeSchema.safeParse({ orgSlug, input });
  if (!parsed.success) return { error: INVALID_INPUT_MESSAGE };
  const auth = await authorizeManager(parsed.data.orgSlug);
  if (auth.error !== undefined) return auth;
  const { access } = auth;
  const { userId, permission } = parsed.data.input;
  const result = await inTransaction(async (tx) => {
    const target = await lockMember(tx, access.org.id, userId);
    const refusal = revokeRefusal(toActor(access), target);
    if (refusal) throw new Refusal(refusal);
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
    await recordAccessEvent(tx, access.org.id, access.user, {
      action: "revoke_permission",
      description: `${access.user.email} revoked ${permission} from ${target.email}`,
      target: { id: target.userId, name: target.email },
      params: { permission },
      before: permissionSnapshot(target.role, target.grants),
      after: permissionSnapshot(target.role, grants),
    });
    return toMember(target, target.role, grants);
  });
  if (result.data) revalidateOrg(access.org.slug);
  return result;
}

export async function changeRole(orgSlug: string, input: RoleChangeInput): Promise<ActionResult<AccessMember>> {
  await assertSameOrigin();
  const parsed = roleChangeSchema.safeParse({ orgSlug, input });
  if (!parsed.success) return { error: INVALID_INPUT_MESSAGE };
  const auth = await authorizeManager(parsed.data.orgSlug);
  if (auth.error !== undefined) return auth;
  const { access } = auth;
  if (access.role !== "admin") return { error: MESSAGES.adminsOnly };
  const { userId, role } = parsed.data.input;
  const result = await inTransaction(async (tx) => {
    const adminCount = await countAdminsForUpdate(tx, access.org.id);
    const target = await lockMember(tx, access.org.id, userId);
    const refusal = roleChangeRefusal(toActor(access), target, role, adminCount);
    if (refusal) throw new Refusal(refusal);
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
    await recordAccessEvent(tx, access.org.id, access.user, {
      action: "change_role",
      description: `${access.user.email} changed the role of ${target.email} from ${target.role} to ${role}`,
      target: { id: target.userId, name: target.email },
      params: { from: target.role, to: role },
      before: permissionSnapshot(target.role, target.grants),
      after: permissionSnapshot(role, grants),
    });
    return toMember(target, role, grants);
  });
  if (result.data) revalidateOrg(access.org.slug);
  return result;
}

async function lockPendingRequest(tx: Transaction, orgId: string, requestId: string) {
  const [request] = await tx
    .select({
      id: accessRequests.id,
      userId: accessRequests.userId,
      status: accessRequests.status,
      message: accessRequests.message,
    })
    .from(accessRequests)
    .where(and(eq(accessRequests.id, requestId), eq(accessRequests.orgId, orgId)))
    .for("update");
  if (!request) throw new Refusal(MESSAGES.requestNotFound);
  if (request.status !== "pending") throw new Refusal(MESSAGES.requestDecided);
  return request;
}

interface DecidedRequest {
  id: string;
  status: "approved" | "declined";
}

export async function approveAccessRequest(
  orgSlug: string,
  input: RequestDecisionInput,
): Promise<ActionResult<DecidedRequest>> {
  await assertSameOrigin();
  const parsed = requestDecisionSchema.safeParse({ orgSlug, input });
  if (!parsed.success) return { error: INVALID_INPUT_MESSAGE };
  const auth = await authorizeManager(parsed.data.orgSlug);
  if (auth.error !== undefined) return auth;
  const { access } = auth;
  const result = await inTransaction(async (tx) => {
    const request = await lockPendingRequest(tx, access.org.id, parsed.data.input.requestId);
    const refusal = approvalRefusal(toActor(access), request.userId);
    if (refusal) throw new Refusal(refusal);
    const requester = await loadMemberForUpdate(tx, access.org.id, request.userId);
    if (!requester) throw new Refusal(MESSAGES.noLongerMember);
    const allowed = grantablePermissions(requester.role);
    const added =
      requester.role === "admin"
        ? []
        : APPROVAL_GRANTS.filter((p) => allowed.includes(p) && !requester.grants.includes(p));
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
      .where(eq(accessRequests.id, request.id));
    await recordAccessEvent(tx, access.org.id, access.user, {
      action: "approve_access_request",
      description: `${access.user.email} approved the access request of ${requester.email}`,
      target: { id: requester.userId, name: requester.email },
      params: { requestId: request.id, message: request.message, granted: added },
      before: permissionSnapshot(requester.role, requester.grants),
      after: permissionSnapshot(requester.role, [...requester.grants, ...added]),
    });
    return { id: request.id, status: "approved" as const };
  });
  if (result.data) revalidateOrg(access.org.slug);
  return result;
}

export async function declineAccessRequest(
  orgSlug: string,
  input: RequestDecisionInput,
): Promise<ActionResult<DecidedRequest>> {
  await assertSameOrigin();
  const parsed = requestDecisionSchema.safeParse({ orgSlug, input });
  if (!parsed.success) return { error: INVALID_INPUT_MESSAGE };
  const auth = await authorizeManager(parsed.data.orgSlug);
  if (auth.error !== undefined) return auth;
  const { access } = auth;
  const result = await inTransaction(async (tx) => {
    const request = await lockPendingRequest(tx, access.org.id, parsed.data.input.requestId);
    if (request.userId === access.user.id) throw new Refusal(MESSAGES.ownRequest);
    const requester = await loadMemberForUpdate(tx, access.org.id, request.userId);
    await tx
      .update(accessRequests)
      .set({ status: "declined", decidedBy: access.user.id, decidedAt: new Date() })
      .where(eq(accessRequests.id, request.id));
    const unchanged = requester ? permissionSnapshot(requester.role, requester.grants) : null;
    await recordAccessEvent(tx, access.org.id, access.user, {
      action: "decline_access_request",
      description: `${access.user.email} declined the access request of ${requester?.email ?? request.userId}`,
      target: { id: request.userId, name: requester?.email ?? request.userId },
      params: { requestId: request.id, message: request.message },
      before: unchanged,
      after: unchanged,
    });
    return { id: request.id, status: "declined" as const };
  });
  if (result.data) revalidateOrg(access.org.slug);
  return result;
}
