import "server-only";

import { and, count, desc, eq, gte, lte, sql } from "drizzle-orm";
import { getDb, queryRows } from "@/db/client";
import { integrityBlocks } from "@/db/schema";
import { getSigningKey } from "@/lib/integrity/signing-key";
import { chainStartText } from "@/lib/integrity/chain-text";
import { loadChainStart, verifyChain, type BlockCheck, type Problem } from "@/lib/integrity/verify";

/** The most blocks the page checks at once; the command checks any number. */
export const PAGE_BLOCKS = 100;

export interface ChainState {
  totalBlocks: number;
  lastSealedAt: Date | null;
  /** Entries that arrived after the last block: sealed within about a minute. */
  unsealed: number;
  /** The checked blocks of the period, newest first. */
  blocks: BlockCheck[];
  /** More blocks in the period than the page checks. */
  truncated: boolean;
  problems: Problem[];
  startsAfterRemoved: boolean;
  /** Where verification starts when the chain's first blocks were removed (whatever the period). */
  chainStart: string | null;
}

export async function loadChainState(orgId: string, range: { from: Date; to: Date }): Promise<ChainState> {
  const db = getDb();
  const inPeriod = and(
    eq(integrityBlocks.orgId, orgId),
    gte(integrityBlocks.lastReceivedAt, range.from),
    lte(integrityBlocks.firstReceivedAt, range.to),
  );
  const [[totals], [last], periodBlocks] = await Promise.all([
    db.select({ n: count() }).from(integrityBlocks).where(eq(integrityBlocks.orgId, orgId)),
    db
      .select({
        sealedAt: integrityBlocks.sealedAt,
        lastReceivedAt: integrityBlocks.lastReceivedAt,
        lastEntryId: integrityBlocks.lastEntryId,
      })
      .from(integrityBlocks)
      .where(eq(integrityBlocks.orgId, orgId))
      .orderBy(desc(integrityBlocks.seq))
      .limit(1),
    db
      .select({ seq: integrityBlocks.seq, firstReceivedAt: integrityBlocks.firstReceivedAt })
      .from(integrityBlocks)
      .where(inPeriod)
      .orderBy(desc(integrityBlocks.seq))
      .limit(PAGE_BLOCKS + 1),
  ]);
  const after = last
    ? sql`and (received_at, id) > (${last.lastReceivedAt.toISOString()}::timestamptz, ${last.lastEntryId}::uuid)`
    : sql``;
  const [unsealed] = await queryRows<{ n: number | string }>(
    db,
    sql`select count(*) as n from audit_logs where org_id = ${orgId}::uuid ${after}`,
  );
  const checked = periodBlocks.slice(0, PAGE_BLOCKS);
  const oldest = checked[checked.length - 1];
  const report = oldest
    ? await verifyChain(db, orgId, getSigningKey(), { from: oldest.firstReceivedAt, to: range.to })
    : null;
  const start = report ? report.start : await loadChainStart(db, orgId);
  return {
    totalBlocks: totals?.n ?? 0,
    lastSealedAt: last?.sealedAt ?? null,
    unsealed: Number(unsealed?.n ?? 0),
    blocks: (report?.blocks ?? []).slice().reverse(),
    truncated: periodBlocks.length > PAGE_BLOCKS,
    problems: report?.problems ?? [],
    startsAfterRemoved: report?.startsAfterRemoved ?? false,
    chainStart: start ? chainStartText(start) : null,
  };
}
