import { decodeLeaves, type Leaf } from "./block";
import { merkleRoot, sha256 } from "./merkle";

/*
 * A block's record of leaves (57 bytes per entry, 10,000 entries: 570 KB), decoded, with the
 * Merkle root it gives, kept for the last few records by the SHA-256 of their bytes. A check
 * looks a record up by the digest of the bytes stored now (hashed here after reading them, or by
 * the database for the details view), so a record that was changed in the database has another
 * digest and is read, decoded and its root computed again: the cache only spares recomputing the
 * same bytes. Decoding and the root's 20,000 hashes were most of the details view's check,
 * about 100 ms of the console's CPU per deep link at 10M entries (docs/performance.md).
 */

export interface SealedRecord {
  /** SHA-256 of the record's bytes, hex. */
  digest: string;
  /** Null when the bytes are not a whole number of leaf records. */
  leaves: Leaf[] | null;
  /** The Merkle root of the leaves' hashes, hex; null with the leaves. */
  root: string | null;
  /** Each leaf and its place in the block, by entry id. */
  byId: ReadonlyMap<string, { leaf: Leaf; index: number }>;
  /**
   * SHA-256 of the leaves' entry ids in the block's order, joined by commas (hex; null with the
   * leaves): the database computes the same over the stored range (verify.ts, focusedRange), so
   * that the details view compares 32 bytes instead of reading 10,000 ids.
   */
  idsDigest: string | null;
}

// Recent blocks: a deep link from a notification is about a recent entry, so about the newest
// block or two; each record kept costs a few MB.
const KEPT = 4;
const records = new Map<string, SealedRecord>();

export function idsDigestOf(ids: readonly string[]): string {
  return sha256(ids.join(",")).toString("hex");
}

/**
 * The record already decoded from bytes whose SHA-256 is `digest`, if it is still kept: the
 * details view asks the database for the digest of the stored bytes first and reads the 570 KB
 * only when it has not decoded them lately.
 */
export function knownRecord(digest: string): SealedRecord | undefined {
  const known = records.get(digest);
  if (known) {
    // Most recently used last, so the oldest is the first to go.
    records.delete(digest);
    records.set(digest, known);
  }
  return known;
}

export function sealedRecord(bytes: Buffer): SealedRecord {
  const digest = sha256(bytes).toString("hex");
  const known = knownRecord(digest);
  if (known) return known;
  const leaves = decodeLeaves(bytes);
  const record: SealedRecord = {
    digest,
    leaves,
    root: leaves ? merkleRoot(leaves.map((l) => l.hash)).toString("hex") : null,
    byId: new Map((leaves ?? []).map((leaf, index) => [leaf.entryId, { leaf, index }])),
    idsDigest: leaves ? idsDigestOf(leaves.map((l) => l.entryId)) : null,
  };
  records.set(digest, record);
  if (records.size > KEPT) records.delete(records.keys().next().value!);
  return record;
}
