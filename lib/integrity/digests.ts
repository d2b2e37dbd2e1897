import "server-only";

import { and, asc, eq, getTableColumns, gt, gte, lte } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { integrityBlocks } from "@/db/schema";
import { blockHeader } from "./block";
import type { SigningKey } from "./signing-key";
import { chainStartText } from "./chain-text";
import { loadChainStart, verifyChain, type ChainRange } from "./verify";

/*
 * The signed digests of an organization's blocks, as the integrity API returns them: for each
 * block the exact header bytes that were signed, their SHA-256 (the block hash, which the next
 * block's header names as "prev") and the Ed25519 signature, plus the public key. An auditor keeps
 * copies: a later answer whose headers differ from a kept copy means the chain was rewritten.
 */

export const DIGESTS_PAGE = 1000;

export interface BlockDigest {
  seq: number;
  header: string;
  blockHash: string;
  signature: string;
  count: number;
  first: { receivedAt: string; id: string };
  last: { receivedAt: string; id: string };
  merkleRoot: string;
  prevHash: string;
  sealedAt: string;
}

export interface Digests {
  organization: string;
  algorithm: "Ed25519";
  publicKey: { keyId: string; pem: string; raw: string };
  /**
   * Where the chain starts when its first blocks are gone (retention removes those whose entries
   * have all expired): verification starts at `firstKeptBlock`, whose `prev` names a block no
   * longer stored. Null when the chain starts at block 1.
   */
  chainStart: { firstKeptBlock: number; removedBlocks: number; byRetention: boolean; message: string } | null;
  blocks: BlockDigest[];
  /** Pass as `after` for the next page; null on the last one. */
  next: number | null;
  /** With check=1: the server's own check of every block of this page against the stored entries. */
  check?: { ok: boolean; problems: { block: number; entry: string | null; kind: string; message: string }[] };
}

export async function loadDigests(
  db: Executor,
  org: { id: string; slug: string },
  key: SigningKey,
  options: ChainRange & { after?: number; check?: boolean },
): Promise<Digests> {
  const where = [eq(integrityBlocks.orgId, org.id)];
  if (options.from) where.push(gte(integrityBlocks.lastReceivedAt, options.from));
  if (options.to) where.push(lte(integrityBlocks.firstReceivedAt, options.to));
  if (options.after !== undefined) where.push(gt(integrityBlocks.seq, options.after));
  // Everything but the record of leaves, which is large and not part of the signed header.
  const { leaves, ...columns } = getTableColumns(integrityBlocks);
  void leaves;
  const rows = await db
    .select(columns)
    .from(integrityBlocks)
    .where(and(...where))
    .orderBy(asc(integrityBlocks.seq))
    .limit(DIGESTS_PAGE + 1);
  const page = rows.slice(0, DIGESTS_PAGE);
  const blocks = page.map((b) => ({
    seq: b.seq,
    header: blockHeader(b),
    blockHash: b.blockHash,
    signature: b.signature,
    count: b.entryCount,
    first: { receivedAt: b.firstReceivedAt.toISOString(), id: b.firstEntryId },
    last: { receivedAt: b.lastReceivedAt.toISOString(), id: b.lastEntryId },
    merkleRoot: b.merkleRoot,
    prevHash: b.prevHash,
    sealedAt: b.sealedAt.toISOString(),
  }));
  const start = await loadChainStart(db, org.id);
  const digests: Digests = {
    organization: org.slug,
    algorithm: "Ed25519",
    publicKey: { keyId: key.keyId, pem: key.publicKeyPem, raw: key.publicKeyRaw },
    chainStart: start
      ? {
          firstKeptBlock: start.firstKept,
          removedBlocks: start.removed,
          byRetention: start.byRetention,
          message: chainStartText(start),
        }
      : null,
    blocks,
    next: rows.length > DIGESTS_PAGE ? page[page.length - 1]!.seq : null,
  };
  if (options.check && blocks.length > 0) {
    const report = await verifyChain(db, org.id, key, {
      from: page[0]!.firstReceivedAt,
      to: page[page.length - 1]!.lastReceivedAt,
    });
    digests.check = {
      ok: report.problems.length === 0,
      problems: report.problems.map((p) => ({
        block: p.blockSeq,
        entry: p.entryId ?? null,
        kind: p.kind,
        message: p.message,
      })),
    };
  } else if (options.check) digests.check = { ok: true, problems: [] };
  return digests;
}
