import "server-only";

import { desc, eq } from "drizzle-orm";
import type { Transaction } from "@/db/client";
import { integrityBlocks } from "@/db/schema";
import type { AuditCategory } from "@/db/schema/enums";
import { consumeArrivals, type ArrivalBatchConsumer } from "@/lib/worker/arrivals";
import { env } from "@/lib/env";
import type { Job } from "@/lib/worker/runner";
import { blockHash, blockHeader, LEAF_RECORD, leafHashViews, signHeader, ZERO_HASH, type Leaf } from "./block";
import { canonicalize, readLeafRecord, type CanonicalRow, type LeafRecord } from "./canonical";
import { leafHash, merkleRoot, sha256 } from "./merkle";
import { getSigningKey } from "./signing-key";

/*
 * Sealing: each organization's entries, in order of arrival, become signed blocks. The arrivals
 * consumer "seal" reads every entry once, in batches of at most a block's size, inside a
 * transaction that also moves its cursor; each batch is one block, so a block closes when it is
 * full or when the job comes round again (every INTEGRITY_SEAL_INTERVAL_SECONDS) and seals what
 * has arrived.
 * Ingestion never waits for any of this.
 */

export const SEAL_BLOCK_SIZE = 10_000;

export function leafOf(row: CanonicalRow): Leaf {
  return {
    entryId: row.id!,
    hash: leafHash(canonicalize(row)),
    occurredAt: new Date(row.occurred_at!),
    category: row.category as AuditCategory,
  };
}

async function sealBlock(tx: Transaction, orgId: string, batch: LeafRecord): Promise<void> {
  // The database hashed each entry's canonical form as it read the rows (exact jsonb text and
  // every column, not the console's DTO) and wrote the record of leaves; verification hashes
  // canonicalize() of the same rows in the console, so the two ways check each other.
  if (batch.record.length !== batch.count * LEAF_RECORD) {
    throw new Error(`the record of leaves holds ${batch.record.length} bytes for ${batch.count} entries`);
  }
  const leafBytes = batch.record;
  const [previous] = await tx
    .select({ seq: integrityBlocks.seq, blockHash: integrityBlocks.blockHash })
    .from(integrityBlocks)
    .where(eq(integrityBlocks.orgId, orgId))
    .orderBy(desc(integrityBlocks.seq))
    .limit(1);
  const key = getSigningKey();
  const fields = {
    orgId,
    seq: (previous?.seq ?? 0) + 1,
    firstReceivedAt: new Date(batch.first.receivedAt),
    firstEntryId: batch.first.id,
    lastReceivedAt: new Date(batch.last.receivedAt),
    lastEntryId: batch.last.id,
    entryCount: batch.count,
    merkleRoot: merkleRoot(leafHashViews(leafBytes)).toString("hex"),
    leavesHash: sha256(leafBytes).toString("hex"),
    prevHash: previous?.blockHash ?? ZERO_HASH,
    keyId: key.keyId,
    sealedAt: new Date(),
  };
  const header = blockHeader(fields);
  await tx.insert(integrityBlocks).values({
    ...fields,
    blockHash: blockHash(header),
    signature: signHeader(header, key.privateKey),
    leaves: leafBytes,
  });
}

export interface SealOptions {
  blockSize?: number;
  /** Kept back from the committed horizon (lib/audit-log/horizon.ts). */
  marginMs?: number;
}

export interface SealRun {
  entries: number;
  /** Blocks closed because they were full: more is waiting. */
  fullBlocks: number;
}

/** One pass over every organization: at most one block each. */
export async function sealNewEntries({ blockSize = SEAL_BLOCK_SIZE, marginMs }: SealOptions = {}): Promise<SealRun> {
  let fullBlocks = 0;
  const consumer: ArrivalBatchConsumer<LeafRecord> = {
    name: "seal",
    startAt: "beginning",
    reads: "batch",
    read: (tx, orgId, newer, limit) => readLeafRecord(tx, orgId, newer, limit),
    async handle(tx, orgId, batch) {
      await sealBlock(tx, orgId, batch);
      if (batch.count >= blockSize) fullBlocks += 1;
    },
  };
  const entries = await consumeArrivals(consumer, { batchSize: blockSize, marginMs });
  return { entries, fullBlocks };
}

/**
 * The background job. It comes back at once only after a full block, so that under a steady
 * stream blocks fill up to SEAL_BLOCK_SIZE instead of sealing a few entries each time round.
 */
export function sealJob({ idleMs = env.INTEGRITY_SEAL_INTERVAL_SECONDS * 1000 }: { idleMs?: number } = {}): Job {
  return {
    name: "seal",
    idleMs,
    async run() {
      return (await sealNewEntries()).fullBlocks;
    },
  };
}
