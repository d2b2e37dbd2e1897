"use server";

import { and, eq, isNull } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { safeText, UNSAFE_TEXT_FORM_MESSAGE } from "@/lib/validation/safe-text";
import { apiKeys } from "@/db/schema";
import { apiKeyScope } from "@/db/schema/enums";
import { refuse } from "@/lib/actions/action-refusal";
import { firstIssueMessage } from "@/lib/actions/invalid-input";
import { orgAction } from "@/lib/actions/org-action";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import type { OrgAccess } from "@/lib/auth/access";

const createSchema = z.object({
  name: safeText(UNSAFE_TEXT_FORM_MESSAGE)
    .trim()
    .min(1, "Give the key a name.")
    .max(100, "Use at most 100 characters."),
  scopes: z
    .array(z.enum(apiKeyScope.enumValues, "Unknown scope."))
    .min(1, "Choose at least one scope: read, write or both.")
    .max(apiKeyScope.enumValues.length)
    // A form that sends no scopes makes an ingestion key, as keys were before scopes.
    .default(["write"])
    // The enum's order, each once, whatever order the form sent.
    .transform((scopes) => apiKeyScope.enumValues.filter((s) => scopes.includes(s))),
});

const revokeSchema = z.object({
  keyId: z.uuid("Unknown key."),
});

const KEYS = {
  permission: "audit.manage",
  transaction: true,
  invalid: firstIssueMessage("Invalid input."),
  revalidate: (org: OrgAccess["org"]) => revalidatePath(`/orgs/${org.slug}/settings/api-keys`),
} as const;

const SERVICE = "API keys";

export const createApiKeyAction = orgAction(
  { name: "createApiKeyAction", schema: createSchema, ...KEYS },
  async ({ name, scopes }, { org, user, db: tx, record }) => {
    const created = await createApiKey(tx, { orgId: org.id, name, createdBy: user.id, scopes });
    await record({
      category: "secret",
      action: "create_api_key",
      description: `API key "${created.name}" created`,
      service: SERVICE,
      target: { type: "api_key", id: created.id, name: created.name },
      params: { prefix: created.prefix, scopes: created.scopes },
    });
    return {
      id: created.id,
      name: created.name,
      prefix: created.prefix,
      scopes: created.scopes,
      secret: created.secret,
    };
  },
);

export const revokeApiKeyAction = orgAction(
  { name: "revokeApiKeyAction", schema: revokeSchema, ...KEYS },
  async ({ keyId }, { org, db: tx, record }) => {
    // Scoped to the caller's organization: another organization's key id is simply not found.
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.orgId, org.id), eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix });
    if (!row) refuse("That key does not exist or is already revoked.");
    await record({
      category: "secret",
      action: "revoke_api_key",
      description: `API key "${row.name}" revoked`,
      service: SERVICE,
      target: { type: "api_key", id: row.id, name: row.name },
      params: { prefix: row.prefix },
      before: { revoked: false },
      after: { revoked: true },
    });
    return { id: row.id };
  },
);
