import "server-only";

import { createHash, randomBytes } from "node:crypto";

const PREFIX_LENGTH = 12;

export function generateApiKeySecret(): { secret: string; prefix: string; hash: string } {
  const secret = `ak_${randomBytes(32).toString("base64url")}`;
  return { secret, prefix: secret.slice(0, PREFIX_LENGTH), hash: hashApiKeySecret(secret) };
}

// The secret is 256 random bits, so a fast hash is enough: there is nothing to brute-force.
export function hashApiKeySecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}
