import "server-only";

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";

/*
 * The Ed25519 key that signs sealed blocks: INTEGRITY_SIGNING_KEY, or (a fresh machine on the
 * embedded default) a key generated once into .data/integrity-key.pem, kept like the auth secret
 * so every process of this machine signs with the same key. The public key is shown on the
 * integrity settings page and returned by the integrity API, for auditors to keep elsewhere.
 */

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as PEM (SubjectPublicKeyInfo), what `openssl pkeyutl -verify` takes. */
  publicKeyPem: string;
  /** The raw 32-byte public key in base64. */
  publicKeyRaw: string;
  /** First 16 hex digits of SHA-256 of the raw public key: names the key in each block. */
  keyId: string;
}

// PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows.
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export function privateKeyFrom(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.includes("-----BEGIN")) return createPrivateKey({ key: trimmed, format: "pem" });
  const seed = Buffer.from(trimmed.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (seed.length !== 32) throw new Error("INTEGRITY_SIGNING_KEY: the seed must be 32 bytes");
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
}

export function describeKey(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error("INTEGRITY_SIGNING_KEY is not an Ed25519 key");
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ format: "der", type: "spki" });
  const raw = spki.subarray(spki.length - 32);
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
    publicKeyRaw: raw.toString("base64"),
    keyId: createHash("sha256").update(raw).digest("hex").slice(0, 16),
  };
}

function generatedKeyText(): string {
  const file = path.join(process.cwd(), ".data", "integrity-key.pem");
  try {
    return readFileSync(file, "utf8");
  } catch {
    mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    try {
      writeFileSync(file, pem, { flag: "wx", mode: 0o600 });
      return pem;
    } catch {
      // Another process created it first: use theirs.
      return readFileSync(file, "utf8");
    }
  }
}

const globalForKey = globalThis as unknown as { auditIntegrityKey?: SigningKey };

export function getSigningKey(): SigningKey {
  globalForKey.auditIntegrityKey ??= describeKey(privateKeyFrom(env.INTEGRITY_SIGNING_KEY ?? generatedKeyText()));
  return globalForKey.auditIntegrityKey;
}
