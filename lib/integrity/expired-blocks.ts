import "server-only";

import { and, asc, desc, eq, lte, sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { integrityBlocks } from "@/db/schema";
import { loadRetentionApplied } from "@/lib/retention/applied";
import { blockHash, decodeLeaves, headerSignatureValid } from "./block";
import { sha256 } from "./merkle";
import type { SigningKey } from "./signing-key";
import { headerOf, type BlockRow } from "./verify";

/*
 * Retention removes whole blocks from the start of an organization's chain once nothing they
 * sealed is left (docs/integrity.md, "Retention and archive"): a block goes when every one of its
 * entries is gone from the live log and from the archive, and retention explains each of them (it
 * occurred before the cutoff that retention applied to its category). Verification then starts
 * at the first kept block and says so.
 *
 * Only a run of blocks from the start goes, never one in the middle (the chain would have a hole
 * a check could not tell from a deleted block), and never the last block: the next block links to
 * it, so the chain goes on from its number instead of starting again at block 1. A block whose
 * own hash, signature or record of leaves does not hold is kept: it is evidence, and the chain's
 * check reports it.
 */

export interface RemovedBlocks {
  /** Blocks removed by this call. */
  removed: number;
  /** The chain's first block after this call; null when the organization has no blocks. */
  firstKept: number | null;
}

/** Whether any of these entries is still stored, live or archived. */
async function anyStored(db: Executor, orgId: string, ids: string[], from: Date, to: Date): Promise<boolean> {
  const list = `{${ids.join(",")}}`;
  // occurred_at bounds the partitions and the primary key's range; the ids pick the entries.
  const rows = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one from audit_logs
        where org_id = ${orgId}::uuid and occurred_at between ${from.toISOString()}::timestamptz and ${to.toISOString()}::timestamptz
          and id = any(${list}::uuid[])
        union all
        select 1 from audit_logs_archive
        where org_id = ${orgId}::uuid and occurred_at between ${from.toISOString()}::timestamptz and ${to.toISOString()}::timestamptz
          and id = any(${list}::uuid[])
        limit 1`,
  );
  return rows.length > 0;
}

function blockHolds(block: BlockRow, key: SigningKey): boolean {
  const header = headerOf(block);
  return (
    blockHash(header) === block.blockHash &&
    block.keyId === key.keyId &&
    headerSignatureValid(header, block.signature, key.publicKey) &&
    sha256(block.leaves).toString("hex") === block.leavesHash
  );
}

/** Removes the blocks at the start of the organization's chain whose entries retention has all removed. */
export async function removeExpiredBlocks(db: Executor, orgId: string, key: SigningKey): Promise<RemovedBlocks> {
  const [last] = await db
    .select({ seq: integrityBlocks.seq })
    .from(integrityBlocks)
    .where(eq(integrityBlocks.orgId, orgId))
    .orderBy(desc(integrityBlocks.seq))
    .limit(1);
  if (!last) return { removed: 0, firstKept: null };
  const applied = await loadRetentionApplied(db, orgId);
  let removeUpTo: number | null = null;
  let firstKept: number | null = null;
  let expectedSeq: number | null = null;
  for (;;) {
    // One block in memory at a time: a block's record of entries is up to 570 kB.
    const [block] = await db
      .select()
      .from(integrityBlocks)
      .where(
        and(eq(integrityBlocks.orgId, orgId), expectedSeq === null ? sql`true` : eq(integrityBlocks.seq, expectedSeq)),
      )
      .orderBy(asc(integrityBlocks.seq))
      .limit(1);
    if (!block) break;
    firstKept = block.seq;
    if (block.seq >= last.seq || !blockHolds(block, key)) break;
    const leaves = decodeLeaves(block.leaves);
    if (!leaves || leaves.length === 0) break;
    const explained = leaves.every((leaf) => {
      const cutoff = applied[leaf.category]?.liveCutoff;
      return cutoff !== undefined && leaf.occurredAt < cutoff;
    });
    if (!explained) break;
    const times = leaves.map((l) => l.occurredAt.getTime());
    const stored = await anyStored(
      db,
      orgId,
      leaves.map((l) => l.entryId),
      new Date(Math.min(...times)),
      new Date(Math.max(...times)),
    );
    if (stored) break;
    removeUpTo = block.seq;
    expectedSeq = block.seq + 1;
  }
  if (removeUpTo === null) return { removed: 0, firstKept };
  const removed = await db
    .delete(integrityBlocks)
    .where(and(eq(integrityBlocks.orgId, orgId), lte(integrityBlocks.seq, removeUpTo)))
    .returning({ seq: integrityBlocks.seq });
  const [first] = await db
    .select({ seq: integrityBlocks.seq })
    .from(integrityBlocks)
    .where(eq(integrityBlocks.orgId, orgId))
    .orderBy(asc(integrityBlocks.seq))
    .limit(1);
  return { removed: removed.length, firstKept: first?.seq ?? null };
}
