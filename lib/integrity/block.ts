import "server-only";

import { sign, verify, type KeyObject } from "node:crypto";
import { auditCategory, type AuditCategory } from "@/db/schema/enums";
import { sha256 } from "./merkle";

/*
 * A block's parts that need no database: the leaves record and the header that is hashed and
 * signed (docs/integrity.md describes both byte for byte).
 */

export const ZERO_HASH = "0".repeat(64);
export const LEAF_RECORD = 16 + 32 + 8 + 1;
const CATEGORIES = auditCategory.enumValues;

export interface Leaf {
  entryId: string;
  hash: Buffer;
  /** Kept so that an entry retention removed can be told from one that was deleted. */
  occurredAt: Date;
  category: AuditCategory;
}

function uuidText(bytes: Buffer): string {
  const h = bytes.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Writes a uuid's 16 bytes at `at`: its five hex groups, without a string made per id. */
function writeUuid(out: Buffer, id: string, at: number): void {
  out.write(id.slice(0, 8), at, "hex");
  out.write(id.slice(9, 13), at + 4, "hex");
  out.write(id.slice(14, 18), at + 6, "hex");
  out.write(id.slice(19, 23), at + 8, "hex");
  out.write(id.slice(24, 36), at + 10, "hex");
}

export function encodeLeaves(leaves: readonly Leaf[]): Buffer {
  const out = Buffer.alloc(leaves.length * LEAF_RECORD);
  leaves.forEach((leaf, i) => {
    const at = i * LEAF_RECORD;
    writeUuid(out, leaf.entryId, at);
    leaf.hash.copy(out, at + 16);
    out.writeBigInt64BE(BigInt(leaf.occurredAt.getTime()), at + 48);
    out.writeUInt8(CATEGORIES.indexOf(leaf.category), at + 56);
  });
  return out;
}

/** The id of the record's leaf at `index`. */
export function recordEntryId(record: Buffer, index: number): string {
  const at = index * LEAF_RECORD;
  return uuidText(record.subarray(at, at + 16));
}

/** The leaf hashes of a record, as views into it (no copies): the Merkle tree's input. */
export function leafHashViews(record: Buffer): Buffer[] {
  const hashes: Buffer[] = [];
  for (let at = 0; at + LEAF_RECORD <= record.length; at += LEAF_RECORD) {
    hashes.push(record.subarray(at + 16, at + 48));
  }
  return hashes;
}

/** The leaves of a record; null when it is not a whole number of well-formed records. */
export function decodeLeaves(bytes: Buffer): Leaf[] | null {
  if (bytes.length % LEAF_RECORD !== 0) return null;
  const leaves: Leaf[] = [];
  for (let at = 0; at < bytes.length; at += LEAF_RECORD) {
    const category = CATEGORIES[bytes.readUInt8(at + 56)];
    if (!category) return null;
    leaves.push({
      entryId: uuidText(bytes.subarray(at, at + 16)),
      hash: Buffer.from(bytes.subarray(at + 16, at + 48)),
      occurredAt: new Date(Number(bytes.readBigInt64BE(at + 48))),
      category,
    });
  }
  return leaves;
}

export interface BlockHeaderFields {
  orgId: string;
  seq: number;
  firstReceivedAt: Date;
  firstEntryId: string;
  lastReceivedAt: Date;
  lastEntryId: string;
  entryCount: number;
  merkleRoot: string;
  leavesHash: string;
  prevHash: string;
  keyId: string;
  sealedAt: Date;
}

/** The header's bytes: JSON with these keys in this order, times in UTC with milliseconds. */
export function blockHeader(b: BlockHeaderFields): string {
  return JSON.stringify({
    v: 1,
    org: b.orgId,
    seq: b.seq,
    first: { receivedAt: b.firstReceivedAt.toISOString(), id: b.firstEntryId },
    last: { receivedAt: b.lastReceivedAt.toISOString(), id: b.lastEntryId },
    count: b.entryCount,
    root: b.merkleRoot,
    leaves: b.leavesHash,
    prev: b.prevHash,
    keyId: b.keyId,
    sealedAt: b.sealedAt.toISOString(),
  });
}

export function blockHash(header: string): string {
  return sha256(header).toString("hex");
}

export function signHeader(header: string, privateKey: KeyObject): string {
  return sign(null, Buffer.from(header, "utf8"), privateKey).toString("base64");
}

export function headerSignatureValid(header: string, signature: string, publicKey: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(header, "utf8"), publicKey, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}
