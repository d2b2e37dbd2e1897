import { decodeLeaves, type Leaf } from "./block";
import { merkleRoot, sha256 } from "./merkle";

/*
 * A block's record of leaves (57 bytes per entry, 10,000 entries: 570 KB), decoded, with the
 * Merkle root it gives, kept for the last few records by the SHA-256 of their bytes. A check
 * always hashes the bytes it has just read, so a record that was changed in the database has
 * another digest and is decoded and its root computed again: the cache only spares recomputing
 * the same bytes. Decoding and the root's 20,000 hashes were most of the details view's check,
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
}

// Recent blocks: a deep link from a notification is about a recent entry, so about the newest
// block or two; each record kept costs a few MB.
const KEPT = 4;
const records = new Map<string, SealedRecord>();

export function sealedRecord(bytes: Buffer): SealedRecord {
  const digest = sha256(bytes).toString("hex");
  const known = records.get(digest);
  if (known) {
    // Most recently used last, so the oldest is the first to go.
    records.delete(digest);
    records.set(digest, known);
    return known;
  }
  const leaves = decodeLeaves(bytes);
  const record: SealedRecord = {
    digest,
    leaves,
    root: leaves ? merkleRoot(leaves.map((l) => l.hash)).toString("hex") : null,
    byId: new Map((leaves ?? []).map((leaf, index) => [leaf.entryId, { leaf, index }])),
  };
  records.set(digest, record);
  if (records.size > KEPT) records.delete(records.keys().next().value!);
  return record;
}
