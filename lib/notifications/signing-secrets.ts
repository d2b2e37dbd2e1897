import "server-only";

import { randomBytes } from "node:crypto";
import { openSecret, sealSecret, UnreadableSecretError } from "@/lib/security/secret-box";
import { SECRET_ROTATION_GRACE_MS } from "./secret-rotation";

/*
 * Signing secrets of webhooks and NDJSON stream destinations, and their rotation. A rotation
 * keeps the replaced secret (still sealed) for a grace period, during which every message is
 * signed with both (X-Audit-Signature and X-Audit-Signature-Previous, lib/notifications/webhook-send.ts), so a receiver can switch to the new secret whenever it likes without
 * refusing a message. Only the secret replaced last is kept: rotating twice within the period
 * ends the first one's grace at once.
 */

export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

export interface StoredSecrets {
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretUntil: Date | null;
}

/** The columns a rotation writes: a fresh sealed secret, the current one kept until the grace ends. */
export function rotatedSecretColumns(currentCiphertext: string, now: Date): { secret: string; columns: StoredSecrets } {
  const secret = newSigningSecret();
  return {
    secret,
    columns: {
      secretCiphertext: sealSecret(secret),
      previousSecretCiphertext: currentCiphertext,
      previousSecretUntil: new Date(now.getTime() + SECRET_ROTATION_GRACE_MS),
    },
  };
}

/**
 * The secrets that sign a message now, the current one first, or null when the current one cannot
 * be read (AUTH_SECRET changed). A previous secret that cannot be read is left out: the current
 * one still signs.
 */
export function signingSecrets(stored: StoredSecrets, now: Date = new Date()): string[] | null {
  let current: string;
  try {
    current = openSecret(stored.secretCiphertext);
  } catch (error) {
    if (error instanceof UnreadableSecretError) return null;
    throw error;
  }
  if (!stored.previousSecretCiphertext || !stored.previousSecretUntil) return [current];
  if (stored.previousSecretUntil.getTime() <= now.getTime()) return [current];
  try {
    return [current, openSecret(stored.previousSecretCiphertext)];
  } catch (error) {
    if (error instanceof UnreadableSecretError) return [current];
    throw error;
  }
}
