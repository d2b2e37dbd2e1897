import "server-only";

import { createHash, randomBytes } from "node:crypto";
import { orgIdHex, uuidFromHex } from "@/lib/security/org-id-hex";

const PREFIX_LENGTH = 12;

/*
 * A key is `ak_<43 random characters>_<its organization's id as 32 hex digits>`: the organization
 * travels with the secret, so the key is found by (org_id, secret_hash), one organization's row
 * (docs/scaling.md). The id is not secret, the 256 random bits are. Keys made before migration
 * 0019 are `ak_<43 random characters>` and are still found by their hash alone.
 */
const KEY_SHAPE = /^ak_[A-Za-z0-9_-]{43}_([0-9a-f]{32})$/;

export function generateApiKeySecret(orgId: string): { secret: string; prefix: string; hash: string } {
  const secret = `ak_${randomBytes(32).toString("base64url")}_${orgIdHex(orgId)}`;
  return { secret, prefix: secret.slice(0, PREFIX_LENGTH), hash: hashApiKeySecret(secret) };
}

// The secret is 256 random bits, so a fast hash is enough: there is nothing to brute-force.
export function hashApiKeySecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** The organization a presented secret names, or null for one that names none (made before 0019, or no key at all). */
export function apiKeySecretOrg(secret: string): string | null {
  const match = KEY_SHAPE.exec(secret);
  return match ? uuidFromHex(match[1]!) : null;
}
