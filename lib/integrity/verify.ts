import "server-only";

import { and, asc, eq, getTableColumns, gte, lte, sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { integrityBlocks } from "@/db/schema";
import { loadRetentionApplied, type AppliedRetention } from "@/lib/retention/applied";
import type { AuditCategory } from "@/db/schema/enums";
import { blockHash, blockHeader, headerSignatureValid, ZERO_HASH, type Leaf } from "./block";
import {
  arrivalRange,
  readCanonicalByIds,
  readCanonicalRange,
  storedIdsDigest,
  type ArrivalKey,
  type LogTable,
} from "./canonical";
import { merkleRoot } from "./merkle";
import { leafOf } from "./seal";
import { knownRecord, sealedRecord, type SealedRecord } from "./sealed-record";
import type { SigningKey } from "./signing-key";

/*
 * Checking sealed blocks against the stored entries (docs/integrity.md). One block's check reads
 * that block's row and the entries in its range of arrival, nothing else: the viewer checks one
 * entry this way, the command and the API every block of a period in turn. An entry that is gone
 * is not counted as tampering when retention explains it: it occurred before the cutoff that
 * retention has applied to its category (retention_applied), or it is in the archive unchanged.
 */

export type ProblemKind =
  "header" | "signature" | "key" | "link" | "leaves" | "changed" | "missing" | "inserted" | "reordered";

export interface Problem {
  kind: ProblemKind;
  blockSeq: number;
  entryId?: string;
  message: string;
}

export type BlockRow = typeof integrityBlocks.$inferSelect;
/** A block's columns but its record of leaves, which is checked as a decoded SealedRecord. */
export type BlockMeta = Omit<BlockRow, "leaves">;

export interface BlockCheck {
  seq: number;
  sealedAt: Date;
  count: number;
  /** Entries found as sealed in the live log. */
  verified: number;
  /** Entries found unchanged in the archive. */
  archived: number;
  /** Entries gone that retention removed, and the latest cutoff that explains them. */
  removedByRetention: number;
  retentionCutoff: Date | null;
  problems: Problem[];
}

export interface RetentionContext {
  applied: Partial<Record<AuditCategory, AppliedRetention>>;
}

export async function loadRetentionContext(db: Executor, orgId: string): Promise<RetentionContext> {
  return { applied: await loadRetentionApplied(db, orgId) };
}

const short = (id: string) => id;

export function headerOf(block: BlockMeta): string {
  return blockHeader(block);
}

/**
 * Checks one block. `previousHash` is the previous block's stored hash (the zero hash before the
 * first block), or null when the previous block is not known (it was removed): the link is then
 * not checked.
 */
export async function checkBlock(
  db: Executor,
  block: BlockMeta,
  /** The block's record of leaves, decoded (sealedRecord of the stored bytes). */
  record: SealedRecord,
  previousHash: string | null,
  key: SigningKey,
  retention: RetentionContext,
  /**
   * The details view's check of one entry: the block's header, signature, link and record of
   * leaves as always, the ids and order of every entry in its range (inserted, missing,
   * reordered), but the content of this entry alone (it is proven by the signed record of
   * leaves); the other entries' contents are the chain check's business.
   */
  focus?: string,
): Promise<BlockCheck> {
  const seq = block.seq;
  const problems: Problem[] = [];
  const add = (kind: ProblemKind, message: string, entryId?: string) =>
    problems.push({ kind, blockSeq: seq, message, ...(entryId ? { entryId } : {}) });
  const check: BlockCheck = {
    seq,
    sealedAt: block.sealedAt,
    count: block.entryCount,
    verified: 0,
    archived: 0,
    removedByRetention: 0,
    retentionCutoff: null,
    problems,
  };

  const header = headerOf(block);
  if (blockHash(header) !== block.blockHash) add("header", `block ${seq}: its hash does not match its header`);
  if (block.keyId !== key.keyId) {
    add("key", `block ${seq}: signed by key ${block.keyId}, not by this deployment's key ${key.keyId}`);
  } else if (!headerSignatureValid(header, block.signature, key.publicKey)) {
    add("signature", `block ${seq}: the signature does not match the block`);
  }
  if (previousHash !== null && block.prevHash !== previousHash) {
    add("link", `block ${seq}: does not follow block ${seq - 1} (its previous-block hash differs)`);
  }

  const sealed = record.digest === block.leavesHash ? record.leaves : null;
  const sealedOk = sealed !== null && sealed.length === block.entryCount && record.root === block.merkleRoot;
  const first: ArrivalKey = { receivedAt: block.firstReceivedAt, id: block.firstEntryId };
  const last: ArrivalKey = { receivedAt: block.lastReceivedAt, id: block.lastEntryId };
  if (!sealed || !sealedOk) {
    // The per-entry record cannot be trusted; only the signed root can be compared.
    add("leaves", `block ${seq}: its record of entries does not match its signed root`);
    const all = (await readCanonicalRange(db, block.orgId, first, last)).map(leafOf);
    if (merkleRoot(all.map((l) => l.hash)).toString("hex") !== block.merkleRoot) {
      add("changed", `block ${seq}: the stored entries no longer match the signed root`);
    }
    return check;
  }

  const actual = focus
    ? await focusedRange(db, block.orgId, first, last, focus, record)
    : (await readCanonicalRange(db, block.orgId, first, last)).map(leafOf);
  const sealedById = record.byId;
  const actualIds = new Set(actual.map((l) => l.entryId));
  for (const leaf of actual) {
    const match = sealedById.get(leaf.entryId);
    if (!match) add("inserted", `block ${seq}: entry ${short(leaf.entryId)} is not in the sealed block`, leaf.entryId);
    else if (leaf.hash === null) continue;
    else if (!match.leaf.hash.equals(leaf.hash)) {
      add("changed", `block ${seq}: entry ${short(leaf.entryId)} differs from its sealed form`, leaf.entryId);
    } else check.verified += 1;
  }
  // The entries present in both, in the block's order and in the stored order.
  const sealedOrder = sealed.filter((l) => actualIds.has(l.entryId)).map((l) => l.entryId);
  const storedOrder = actual.filter((l) => sealedById.has(l.entryId)).map((l) => l.entryId);
  const outOfPlace = sealedOrder.findIndex((id, i) => storedOrder[i] !== id);
  if (outOfPlace >= 0) {
    const id = sealedOrder[outOfPlace]!;
    add("reordered", `block ${seq}: entry ${short(id)} is no longer in its sealed place in the order of arrival`, id);
  }

  const gone = sealed.filter((l) => !actualIds.has(l.entryId));
  if (gone.length > 0) await explainGone(db, block, gone, retention, check, add);
  return check;
}

/**
 * The ids of the range in order, with the leaf hash of the focused entry only. The database first
 * gives the digest of the range's ids in order: when it is the sealed record's, the stored ids are
 * the sealed ones in the sealed order, and the 10,000 ids are not read (nor their garbage made).
 */
async function focusedRange(
  db: Executor,
  orgId: string,
  first: ArrivalKey,
  last: ArrivalKey,
  focus: string,
  record: SealedRecord,
): Promise<{ entryId: string; hash: Buffer | null }[]> {
  const [stored, focused] = await Promise.all([
    storedIdsDigest(db, orgId, first, last),
    readCanonicalByIds(db, "audit_logs", orgId, [focus]),
  ]);
  const focusHash = focused[0] ? leafOf(focused[0]).hash : null;
  const ids =
    record.leaves && stored === record.idsDigest
      ? record.leaves.map((l) => l.entryId)
      : (
          await queryRows<{ id: string }>(
            db,
            sql`select id::text as id from audit_logs where ${arrivalRange(orgId, first, last)}
                order by audit_logs.received_at, audit_logs.id`,
          )
        ).map((row) => row.id);
  return ids.map((id) => ({ entryId: id, hash: id === focus ? focusHash : null }));
}

async function explainGone(
  db: Executor,
  block: BlockMeta,
  gone: Leaf[],
  retention: RetentionContext,
  check: BlockCheck,
  add: (kind: ProblemKind, message: string, entryId?: string) => void,
): Promise<void> {
  const archivedRows = await readCanonicalByIds(
    db,
    "audit_logs_archive",
    block.orgId,
    gone.map((l) => l.entryId),
  );
  const archived = new Map(archivedRows.map((row) => [row.id!, leafOf(row)]));
  for (const leaf of gone) {
    const inArchive = archived.get(leaf.entryId);
    if (inArchive) {
      if (inArchive.hash.equals(leaf.hash)) check.archived += 1;
      else
        add("changed", `block ${block.seq}: archived entry ${leaf.entryId} differs from its sealed form`, leaf.entryId);
      continue;
    }
    const cutoff = retention.applied[leaf.category]?.liveCutoff;
    if (cutoff && leaf.occurredAt < cutoff) {
      check.removedByRetention += 1;
      if (!check.retentionCutoff || cutoff > check.retentionCutoff) check.retentionCutoff = cutoff;
    } else {
      add(
        "missing",
        `block ${block.seq}: entry ${leaf.entryId} is missing (sealed, and not removed by retention)`,
        leaf.entryId,
      );
    }
  }
}

/**
 * Entries stored between two blocks (after `after` and before `before` in arrival order): none
 * should exist, since each block took every entry up to its last.
 */
async function entriesBetween(
  db: Executor,
  orgId: string,
  after: ArrivalKey | null,
  before: ArrivalKey,
): Promise<string[]> {
  const lower = after
    ? sql`and (received_at, id) > (${after.receivedAt.toISOString()}::timestamptz, ${after.id}::uuid)`
    : sql``;
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select id::text as id from audit_logs
        where org_id = ${orgId}::uuid ${lower}
          and (received_at, id) < (${before.receivedAt.toISOString()}::timestamptz, ${before.id}::uuid)
        order by audit_logs.received_at, audit_logs.id limit 10`,
  );
  return rows.map((r) => r.id);
}

async function blockBySeq(db: Executor, orgId: string, seq: number): Promise<BlockRow | undefined> {
  const [row] = await db
    .select()
    .from(integrityBlocks)
    .where(and(eq(integrityBlocks.orgId, orgId), eq(integrityBlocks.seq, seq)));
  return row;
}

async function leavesOf(db: Executor, block: BlockMeta): Promise<Buffer> {
  const [row] = await db
    .select({ leaves: integrityBlocks.leaves })
    .from(integrityBlocks)
    .where(and(eq(integrityBlocks.orgId, block.orgId), eq(integrityBlocks.seq, block.seq)));
  // Gone between the two reads (retention): an empty record, which the check reports as not matching.
  return row?.leaves ?? Buffer.alloc(0);
}

async function previousHashOf(db: Executor, block: BlockMeta): Promise<string | null> {
  if (block.seq === 1) return ZERO_HASH;
  const [row] = await db
    .select({ blockHash: integrityBlocks.blockHash })
    .from(integrityBlocks)
    .where(and(eq(integrityBlocks.orgId, block.orgId), eq(integrityBlocks.seq, block.seq - 1)));
  return row?.blockHash ?? null;
}

export type EntrySeal =
  | { state: "verified"; seq: number; sealedAt: Date; block: BlockCheck }
  | { state: "pending" }
  | { state: "failed"; seq: number | null; problems: Problem[] };

/**
 * The seal of one entry, live or archived: its block's check (one block's entries and hashes).
 * Null when the entry is not in that table.
 */
export async function verifyEntry(
  db: Executor,
  orgId: string,
  entryId: string,
  key: SigningKey,
  table: LogTable = "audit_logs",
): Promise<EntrySeal | null> {
  const [entry] = await queryRows<{ received_at: string }>(
    db,
    sql`select to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as received_at
        from ${sql.identifier(table)} where org_id = ${orgId}::uuid and id = ${entryId}::uuid limit 1`,
  );
  if (!entry) return null;
  const at: ArrivalKey = { receivedAt: new Date(entry.received_at), id: entryId };
  // The block's columns and the digest of its record of leaves, not the record itself: it is read
  // (570 KB) only when no record with that digest was decoded lately (sealed-record.ts).
  const { leaves: _record, ...columns } = getTableColumns(integrityBlocks);
  const [block] = await db
    .select({ ...columns, leavesDigest: sql<string>`encode(sha256(${integrityBlocks.leaves}), 'hex')` })
    .from(integrityBlocks)
    .where(
      and(
        eq(integrityBlocks.orgId, orgId),
        sql`(${integrityBlocks.lastReceivedAt}, ${integrityBlocks.lastEntryId}) >= (${at.receivedAt.toISOString()}::timestamptz, ${entryId}::uuid)`,
      ),
    )
    .orderBy(asc(integrityBlocks.lastReceivedAt), asc(integrityBlocks.lastEntryId))
    .limit(1);
  if (!block) return { state: "pending" };
  const record = knownRecord(block.leavesDigest) ?? sealedRecord(await leavesOf(db, block));
  const retention = await loadRetentionContext(db, orgId);
  const check = await checkBlock(db, block, record, await previousHashOf(db, block), key, retention, entryId);
  const inRange =
    block.firstReceivedAt < at.receivedAt ||
    (+block.firstReceivedAt === +at.receivedAt && block.firstEntryId <= entryId);
  if (!inRange) {
    const problem: Problem = {
      kind: "inserted",
      blockSeq: block.seq,
      entryId,
      message: `this entry is in no sealed block, although block ${block.seq} sealed entries that arrived after it`,
    };
    return { state: "failed", seq: null, problems: [problem, ...check.problems] };
  }
  if (check.problems.length > 0) {
    // This entry's own problem first, then the block's.
    const own = check.problems.filter((p) => p.entryId === entryId);
    return {
      state: "failed",
      seq: block.seq,
      problems: [...own, ...check.problems.filter((p) => p.entryId !== entryId)],
    };
  }
  return { state: "verified", seq: block.seq, sealedAt: block.sealedAt, block: check };
}

/**
 * Where the organization's chain starts when its first blocks are gone: retention removes the
 * blocks at the start whose entries have all expired (expired-blocks.ts). Null when the chain
 * starts at block 1 (or has no blocks).
 */
export interface ChainStart {
  /** The first kept block: verification starts here. */
  firstKept: number;
  /** Blocks 1 to firstKept - 1 are gone. */
  removed: number;
  /**
   * A retention run has removed entries of this organization, which explains the removal; when
   * none has, nothing explains it and the chain's check fails.
   */
  byRetention: boolean;
}

/** The chain's start: its first stored block, and whether retention explains the blocks before it. */
export async function loadChainStart(
  db: Executor,
  orgId: string,
  retention?: RetentionContext,
): Promise<ChainStart | null> {
  const [first] = await db
    .select({ seq: integrityBlocks.seq })
    .from(integrityBlocks)
    .where(eq(integrityBlocks.orgId, orgId))
    .orderBy(asc(integrityBlocks.seq))
    .limit(1);
  if (!first || first.seq === 1) return null;
  const applied = (retention ?? (await loadRetentionContext(db, orgId))).applied;
  return { firstKept: first.seq, removed: first.seq - 1, byRetention: Object.keys(applied).length > 0 };
}

export interface ChainReport {
  blocks: BlockCheck[];
  /** The first problem in chain order, with what came before it all verified. */
  firstProblem: Problem | null;
  problems: Problem[];
  firstSeq: number | null;
  lastSeq: number | null;
  /** The chain's first stored block is not block 1, and the check started there: earlier ones were removed. */
  startsAfterRemoved: boolean;
  /** Where the whole chain starts, when its first blocks were removed (whatever the period checked). */
  start: ChainStart | null;
}

/** "block 1 is" / "blocks 1–4 are": the blocks before the first kept one. */
export function removedBlocksText(start: ChainStart): string {
  return start.removed === 1 ? "block 1 is" : `blocks 1–${start.removed.toLocaleString("en-US")} are`;
}

export interface ChainRange {
  from?: Date;
  to?: Date;
}

/**
 * Checks every block whose entries arrived in the range (all by default), in order: each block,
 * its signature, its link to the one before, and that no entry sits between two blocks.
 */
export async function verifyChain(
  db: Executor,
  orgId: string,
  key: SigningKey,
  range: ChainRange = {},
  onBlock?: (check: BlockCheck) => void,
): Promise<ChainReport> {
  const where = [eq(integrityBlocks.orgId, orgId)];
  if (range.from) where.push(gte(integrityBlocks.lastReceivedAt, range.from));
  if (range.to) where.push(lte(integrityBlocks.firstReceivedAt, range.to));
  const seqs = (
    await db
      .select({ seq: integrityBlocks.seq })
      .from(integrityBlocks)
      .where(and(...where))
      .orderBy(asc(integrityBlocks.seq))
  ).map((r) => r.seq);
  const retention = await loadRetentionContext(db, orgId);
  const report: ChainReport = {
    blocks: [],
    firstProblem: null,
    problems: [],
    firstSeq: seqs[0] ?? null,
    lastSeq: seqs[seqs.length - 1] ?? null,
    startsAfterRemoved: false,
    start: await loadChainStart(db, orgId, retention),
  };
  let previous: BlockRow | null = null;
  for (const seq of seqs) {
    // One block in memory at a time: a block's record of entries is up to 570 kB.
    const block = await blockBySeq(db, orgId, seq);
    if (!block) continue;
    let previousHash: string | null;
    if (previous && previous.seq === seq - 1) previousHash = previous.blockHash;
    else {
      previousHash = await previousHashOf(db, block);
      if (previousHash === null && seq === seqs[0]) {
        report.startsAfterRemoved = true;
        if (report.start && !report.start.byRetention) {
          report.problems.push({
            kind: "link",
            blockSeq: seq,
            message: `${removedBlocksText(report.start)} missing, and no retention run has removed entries of this organization`,
          });
        }
      } else if (previousHash === null) {
        report.problems.push({ kind: "link", blockSeq: seq, message: `block ${seq - 1} is missing` });
      }
    }
    const check = await checkBlock(db, block, sealedRecord(block.leaves), previousHash, key, retention);
    // Between the previous block (or, from the first block of the chain, the beginning) and this one.
    // Before the first kept block, nothing may be stored either: retention removed its
    // predecessors only once none of their entries was left.
    if (previous || seq === 1 || (report.startsAfterRemoved && seq === seqs[0])) {
      const stray = await entriesBetween(
        db,
        orgId,
        previous ? { receivedAt: previous.lastReceivedAt, id: previous.lastEntryId } : null,
        { receivedAt: block.firstReceivedAt, id: block.firstEntryId },
      );
      for (const id of stray) {
        check.problems.unshift({
          kind: "inserted",
          blockSeq: seq,
          entryId: id,
          message: `entry ${id} is in no sealed block, although block ${seq} sealed entries that arrived after it`,
        });
      }
    }
    report.blocks.push(check);
    report.problems.push(...check.problems);
    onBlock?.(check);
    previous = { ...block, leaves: Buffer.alloc(0) };
  }
  report.firstProblem = report.problems[0] ?? null;
  return report;
}
