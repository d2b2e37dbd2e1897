"use server";

import { and, eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { safeText, UNSAFE_TEXT_FORM_MESSAGE } from "@/lib/validation/safe-text";
import { accessRequests } from "@/db/schema";
import { accessEntry } from "@/lib/access-requests/access-entry";
import { canRequest, GRANTS_FOR_REQUEST, REQUESTABLE_PERMISSIONS } from "@/lib/access-requests/requested-permission";
import { refuse } from "@/lib/actions/action-refusal";
import { INVALID_ACTION_INPUT } from "@/lib/actions/invalid-input";
import { orgAction } from "@/lib/actions/org-action";
import { permissionSnapshot } from "@/lib/auth/permissions";

const MAX_MESSAGE = 1000;

const requestSchema = z
  .object({
    message: safeText(UNSAFE_TEXT_FORM_MESSAGE)
      .trim()
      .max(MAX_MESSAGE, `Keep the message under ${MAX_MESSAGE} characters.`)
      .optional(),
    permission: z.enum(REQUESTABLE_PERMISSIONS).optional(),
  })
  .strict()
  .optional();

interface RequestedAccess {
  requestId: string;
  requestedAt: string;
  /** True when an open request already existed: nothing new was created. */
  alreadyPending: boolean;
  message: string;
}

function answer(request: { id: string; createdAt: Date }, alreadyPending: boolean): RequestedAccess {
  return {
    requestId: request.id,
    requestedAt: request.createdAt.toISOString(),
    alreadyPending,
    message: alreadyPending
      ? "You already asked for access. Your request is waiting for an administrator."
      : "Request sent. An administrator will review it.",
  };
}

/**
 * A signed-in member asks the organization's managers for access: to the audit log (audit.view,
 * from the explorer's notice; the default) or to its settings (audit.manage, from a settings
 * page; managers only, as only they can hold it). One open request per person and permission:
 * asking again answers with the request already waiting (the partial unique index
 * access_requests_one_pending_idx makes that hold under concurrent clicks too).
 */
export const requestAccess = orgAction(
  {
    name: "requestAccess",
    schema: requestSchema,
    invalid: (error) => error.issues.find((i) => i.path.includes("message"))?.message ?? INVALID_ACTION_INPUT,
    // Any member may ask; whoever already holds the permission is told so below.
    permission: null,
    transaction: true,
    failure: "Your request could not be recorded. Try again.",
    revalidate: (org) => revalidatePath(`/orgs/${org.slug}`, "layout"),
  },
  async (input, { access, db: tx, record }): Promise<RequestedAccess> => {
    const permission = input?.permission ?? "audit.view";
    if (access.permissions.has(permission)) {
      refuse(
        permission === "audit.view"
          ? "You already have access to the audit log. Reload the page."
          : "You already manage audit settings. Reload the page.",
      );
    }
    if (!canRequest(access.role, permission)) {
      refuse("Only managers can manage audit settings. Ask an admin to make you a manager.");
    }
    const message = input?.message || null;
    const [created] = await tx
      .insert(accessRequests)
      .values({ orgId: access.org.id, userId: access.user.id, message, permission })
      .onConflictDoNothing()
      .returning({ id: accessRequests.id, createdAt: accessRequests.createdAt });
    if (!created) {
      const [existing] = await tx
        .select({ id: accessRequests.id, createdAt: accessRequests.createdAt })
        .from(accessRequests)
        .where(
          and(
            eq(accessRequests.orgId, access.org.id),
            eq(accessRequests.userId, access.user.id),
            eq(accessRequests.permission, permission),
            eq(accessRequests.status, "pending"),
          ),
        )
        .limit(1);
      // Only a request decided between the two statements gets here.
      if (!existing) refuse("Your request could not be recorded. Try again.");
      return answer(existing, true);
    }
    const state = permissionSnapshot(access.role, [...access.permissions]);
    await record(
      accessEntry({
        action: "request_access",
        description:
          permission === "audit.view"
            ? `${access.user.email} requested access to the audit log`
            : `${access.user.email} requested the permission to manage audit settings`,
        target: { id: access.user.id, name: access.user.email },
        params: { requestId: created.id, message, requested: [...GRANTS_FOR_REQUEST[permission]] },
        before: state,
        after: state,
      }),
    );
    return answer(created, false);
  },
);
