"use server";

import { and, eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { safeText, UNSAFE_TEXT_FORM_MESSAGE } from "@/lib/validation/safe-text";
import { getDb } from "@/db/client";
import { accessRequests } from "@/db/schema";
import type { ActionResult } from "@/lib/action-result";
import { recordAccessEvent } from "@/lib/access-requests/record-access-event";
import { getOrgAccess } from "@/lib/auth/access";
import { assertSameOrigin } from "@/lib/security/same-origin";
import { permissionSnapshot } from "@/lib/auth/permissions";

const MAX_MESSAGE = 1000;

const requestSchema = z.object({
  orgSlug: safeText().trim().min(1).max(100),
  input: z
    .object({
      message: safeText(UNSAFE_TEXT_FORM_MESSAGE)
        .trim()
        .max(MAX_MESSAGE, `Keep the message under ${MAX_MESSAGE} characters.`)
        .optional(),
    })
    .strict()
    .optional(),
});

interface RequestedAccess {
  requestId: string;
  requestedAt: string;
  /** True when an open request already existed: nothing new was created. */
  alreadyPending: boolean;
  message: string;
}

/**
 * A signed-in member without audit.view asks the organization's managers for access. One open
 * request per person: asking again answers with the request already waiting (the partial unique
 * index access_requests_one_pending_idx makes that hold under concurrent clicks too).
 */
export async function requestAccess(
  orgSlug: string,
  input?: { message?: string },
): Promise<ActionResult<RequestedAccess>> {
  await assertSameOrigin();
  const parsed = requestSchema.safeParse({ orgSlug, input });
  if (!parsed.success) {
    const issue = parsed.error.issues.find((i) => i.path.includes("message"));
    return { error: issue?.message ?? "The request was not understood. Reload the page and try again." };
  }
  const result = await getOrgAccess(parsed.data.orgSlug);
  if (!result.ok) {
    return {
      error: result.reason === "unauthenticated" ? "Your session has ended. Sign in again." : "Organization not found.",
    };
  }
  const { access } = result;
  if (access.permissions.has("audit.view"))
    return { error: "You already have access to the audit log. Reload the page." };
  const message = parsed.data.input?.message || null;

  const answer = await getDb().transaction(async (tx) => {
    const [created] = await tx
      .insert(accessRequests)
      .values({ orgId: access.org.id, userId: access.user.id, message })
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
            eq(accessRequests.status, "pending"),
          ),
        )
        .limit(1);
      if (!existing) return null;
      return { request: existing, alreadyPending: true };
    }
    const state = permissionSnapshot(access.role, [...access.permissions]);
    await recordAccessEvent(tx, access.org.id, access.user, {
      action: "request_access",
      description: `${access.user.email} requested access to the audit log`,
      target: { id: access.user.id, name: access.user.email },
      params: { requestId: created.id, message, requested: ["audit.view", "audit.export"] },
      before: state,
      after: state,
    });
    return { request: created, alreadyPending: false };
  });
  if (!answer) return { error: "Your request could not be recorded. Try again." };
  revalidatePath(`/orgs/${access.org.slug}`, "layout");
  return {
    data: {
      requestId: answer.request.id,
      requestedAt: answer.request.createdAt.toISOString(),
      alreadyPending: answer.alreadyPending,
      message: answer.alreadyPending
        ? "You already asked for access. Your request is waiting for an administrator."
        : "Request sent. An administrator will review it.",
    },
  };
}
