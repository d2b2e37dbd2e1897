"use server";

import { and, eq, isNull } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { safeText, UNSAFE_TEXT_FORM_MESSAGE } from "@/lib/validation/safe-text";
import { getDb } from "@/db/client";
import { apiKeys } from "@/db/schema";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { authorizeAction, type OrgAccess } from "@/lib/auth/access";
import { clientIp, userAgent } from "@/lib/auth/request-context";
import { assertSameOrigin } from "@/lib/security/same-origin";
import type { ActionResult } from "@/lib/action-result";

const createSchema = z.object({
  orgSlug: safeText().min(1).max(100),
  name: safeText(UNSAFE_TEXT_FORM_MESSAGE)
    .trim()
    .min(1, "Give the key a name.")
    .max(100, "Use at most 100 characters."),
});

const revokeSchema = z.object({
  orgSlug: safeText().min(1).max(100),
  keyId: z.uuid("Unknown key."),
});

async function auditContext(access: OrgAccess) {
  const h = await headers();
  return {
    actor: { id: access.user.id, name: access.user.name, email: access.user.email },
    ip: clientIp(h),
    userAgent: userAgent(h),
  };
}

export async function createApiKeyAction(input: {
  orgSlug: string;
  name: string;
}): Promise<ActionResult<{ id: string; name: string; prefix: string; secret: string }>> {
  await assertSameOrigin();
  const parsed = createSchema.safeParse(input);
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Invalid input." };
  const auth = await authorizeAction(parsed.data.orgSlug, "audit.manage");
  if (auth.error !== undefined) return { error: auth.error };
  const { access } = auth;
  const context = await auditContext(access);
  const key = await getDb().transaction(async (tx) => {
    const created = await createApiKey(tx, { orgId: access.org.id, name: parsed.data.name, createdBy: access.user.id });
    await recordAuditEvent(
      access.org.id,
      {
        occurredAt: new Date().toISOString(),
        ...context,
        category: "secret",
        action: "create_api_key",
        description: `API key "${created.name}" created`,
        target: { type: "api_key", id: created.id, name: created.name },
        result: "done",
        level: "notice",
        service: "API keys",
        params: { prefix: created.prefix },
      },
      tx,
    );
    return created;
  });
  revalidatePath(`/orgs/${access.org.slug}/settings/api-keys`);
  return { data: { id: key.id, name: key.name, prefix: key.prefix, secret: key.secret } };
}

export async function revokeApiKeyAction(input: {
  orgSlug: string;
  keyId: string;
}): Promise<ActionResult<{ id: string }>> {
  await assertSameOrigin();
  const parsed = revokeSchema.safeParse(input);
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Invalid input." };
  const auth = await authorizeAction(parsed.data.orgSlug, "audit.manage");
  if (auth.error !== undefined) return { error: auth.error };
  const { access } = auth;
  const context = await auditContext(access);
  const revoked = await getDb().transaction(async (tx) => {
    // Scoped to the caller's organization: another organization's key id is simply not found.
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, parsed.data.keyId), eq(apiKeys.orgId, access.org.id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix });
    if (!row) return null;
    await recordAuditEvent(
      access.org.id,
      {
        occurredAt: new Date().toISOString(),
        ...context,
        category: "secret",
        action: "revoke_api_key",
        description: `API key "${row.name}" revoked`,
        target: { type: "api_key", id: row.id, name: row.name },
        result: "done",
        level: "notice",
        service: "API keys",
        params: { prefix: row.prefix },
        before: { revoked: false },
        after: { revoked: true },
      },
      tx,
    );
    return row;
  });
  if (!revoked) return { error: "That key does not exist or is already revoked." };
  revalidatePath(`/orgs/${access.org.slug}/settings/api-keys`);
  return { data: { id: revoked.id } };
}
