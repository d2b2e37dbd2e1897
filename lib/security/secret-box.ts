import "server-only";

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { getAuthSecret } from "@/lib/auth/secret";

/*
 * Secrets the console must use again in clear (a webhook's signing secret), encrypted at rest
 * with AES-256-GCM under a key derived from the deployment's auth secret. A database dump alone
 * does not reveal them; rotating AUTH_SECRET makes them unreadable, and the page then asks for a
 * new secret rather than signing with a wrong one.
 */

const VERSION = "v1";
const INFO = "audit-console secret-box v1";

function key(): Buffer {
  return Buffer.from(hkdfSync("sha256", getAuthSecret(), "", INFO, 32));
}

export function sealSecret(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString("base64url"), body.toString("base64url"), tag.toString("base64url")].join(".");
}

export class UnreadableSecretError extends Error {
  constructor() {
    super("The stored secret cannot be read with this deployment's key (was AUTH_SECRET changed?)");
    this.name = "UnreadableSecretError";
  }
}

export function openSecret(sealed: string): string {
  const [version, iv, body, tag] = sealed.split(".");
  if (version !== VERSION || !iv || !body || !tag) throw new UnreadableSecretError();
  try {
    const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new UnreadableSecretError();
  }
}
