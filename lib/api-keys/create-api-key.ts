import "server-only";

import type { Executor } from "@/db/client";
import { apiKeys } from "@/db/schema";
import { generateApiKeySecret } from "./api-key-secret";

export interface CreatedApiKey {
  id: string;
  name: string;
  prefix: string;
  /** Shown once, never stored. */
  secret: string;
  createdAt: Date;
}

export async function createApiKey(
  db: Executor,
  input: { orgId: string; name: string; createdBy: string | null },
): Promise<CreatedApiKey> {
  const { secret, prefix, hash } = generateApiKeySecret();
  const [row] = await db
    .insert(apiKeys)
    .values({ orgId: input.orgId, name: input.name, prefix, secretHash: hash, createdBy: input.createdBy })
    .returning({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt });
  return { ...row!, secret };
}
