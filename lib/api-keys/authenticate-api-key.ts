import "server-only";

import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { apiKeys, organizations } from "@/db/schema";
import type { ApiKeyScope } from "@/db/schema/enums";
import { apiKeySecretOrg, hashApiKeySecret } from "./api-key-secret";

export interface ApiKeyPrincipal {
  keyId: string;
  keyName: string;
  orgId: string;
  orgSlug: string;
  scopes: ApiKeyScope[];
}

/**
 * The organization a bearer key acts for and what it may do (its scopes, which the route checks),
 * or null for a missing, unknown or revoked key.
 */
export async function authenticateApiKey(db: Executor, authorization: string | null): Promise<ApiKeyPrincipal | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!match?.[1] || match[1].length > 200) return null;
  const secret = match[1];
  // A key names its organization (api-key-secret.ts): one organization's row is read. A key made
  // before migration 0019 names none and is found by its hash alone.
  const orgId = apiKeySecretOrg(secret);
  const hashed = eq(apiKeys.secretHash, hashApiKeySecret(secret));
  const [row] = await db
    .select({
      keyId: apiKeys.id,
      keyName: apiKeys.name,
      orgId: apiKeys.orgId,
      orgSlug: organizations.slug,
      scopes: apiKeys.scopes,
    })
    .from(apiKeys)
    .innerJoin(organizations, eq(organizations.id, apiKeys.orgId))
    .where(and(orgId ? and(eq(apiKeys.orgId, orgId), hashed) : hashed, isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) return null;
  // Last use is informational: written at most once a minute so busy writers cost no extra updates.
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiKeys.orgId, row.orgId),
        eq(apiKeys.id, row.keyId),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`)),
      ),
    );
  return row;
}
