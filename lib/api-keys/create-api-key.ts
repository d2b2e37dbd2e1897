import "server-only";

import type { Executor } from "@/db/client";
import { apiKeys } from "@/db/schema";
import type { ApiKeyScope } from "@/db/schema/enums";
import { generateApiKeySecret } from "./api-key-secret";

export interface CreatedApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  /** Shown once, never stored. */
  secret: string;
  createdAt: Date;
}

export async function createApiKey(
  db: Executor,
  input: { orgId: string; name: string; createdBy: string | null; scopes?: readonly ApiKeyScope[] },
): Promise<CreatedApiKey> {
  const { secret, prefix, hash } = generateApiKeySecret(input.orgId);
  const [row] = await db
    .insert(apiKeys)
    .values({
      orgId: input.orgId,
      name: input.name,
      prefix,
      secretHash: hash,
      createdBy: input.createdBy,
      scopes: [...(input.scopes ?? ["write"])],
    })
    .returning({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      createdAt: apiKeys.createdAt,
    });
  return { ...row!, secret };
}
