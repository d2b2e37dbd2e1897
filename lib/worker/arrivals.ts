import "server-only";

import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { getDb, type Transaction } from "@/db/client";
import { auditLogs, consumerCursors, organizations } from "@/db/schema";
import { committedHorizon, markWritesNoEntries } from "@/lib/audit-log/horizon";
import { detailColumns, isoTime, toDetails, type DetailRow } from "@/lib/audit-log/rows";
import type { AuditEntryDetails } from "@/lib/audit-log/types";

/*
 * New entries for background consumers, in order of arrival: (received_at, id) per organization,
 * read only up to the committed horizon (lib/audit-log/horizon.ts), so an entry whose transaction
 * commits late is never passed over. Each consumer keeps one cursor row per organization
 * (consumer_cursors); a batch is read and handled in one transaction that holds that row
 * (FOR UPDATE SKIP LOCKED, so several console instances share the organizations without
 * processing one twice) and moves it past the batch. What the handler writes in the transaction
 * (deliveries, seals) commits with the cursor, or neither does: every entry is handled once.
 *
 * A handler must not write audit entries: its transaction is marked as one that writes none, and
 * horizons do not wait for such transactions (lib/audit-log/horizon.ts).
 */

export interface ArrivedEntry extends AuditEntryDetails {
  orgId: string;
}

/** An entry's place in the order of arrival, which is where a consumer's cursor moves to. */
export interface ArrivalPlace {
  id: string;
  /** ISO 8601 with milliseconds, the column's precision. */
  receivedAt: string;
}

/** Where an entry stands in the order of arrival: all that a consumer reading its own columns needs. */
export interface ArrivedKey extends ArrivalPlace {
  orgId: string;
  occurredAt: string;
}

interface ConsumerBase {
  /** The cursor's name: "notifications", "seal", "stream:<id>". */
  name: string;
  /**
   * Where a new cursor starts: "beginning" handles every stored entry (sealing); "now" only
   * entries that arrive from then on (notifications).
   */
  startAt: "beginning" | "now";
  /** Which organizations to read; all by default. */
  orgIds?: () => Promise<string[]>;
}

/** A consumer of the entries as the details view shows them (notifications match on them). */
export interface ArrivalConsumer extends ConsumerBase {
  reads?: "details";
  handle(tx: Transaction, orgId: string, entries: ArrivedEntry[]): Promise<void>;
}

/**
 * A consumer that reads the columns it needs itself (the notification matcher, the actor
 * directory): the batch's keys only, so the rows are not read and parsed twice.
 */
export interface ArrivalKeyConsumer extends ConsumerBase {
  reads: "keys";
  handle(tx: Transaction, orgId: string, keys: ArrivedKey[]): Promise<void>;
}

/** What a consumer that reads its own batch read: how many entries, and the last one's place. */
export interface ReadBatch {
  count: number;
  last: ArrivalPlace;
}

/**
 * A consumer that reads its batch itself, in one statement (sealing hashes every column where it
 * reads them and gets the block's record of leaves back): given the condition that picks the
 * organization's new entries, `read` takes at most `limit` of them in order of arrival, or answers
 * null when there are none. One scan instead of the keys' and then its own.
 */
export interface ArrivalBatchConsumer<Batch extends ReadBatch> extends ConsumerBase {
  reads: "batch";
  read(tx: Transaction, orgId: string, newer: SQL, limit: number): Promise<Batch | null>;
  handle(tx: Transaction, orgId: string, batch: Batch): Promise<void>;
}

type AnyConsumer = ArrivalConsumer | ArrivalKeyConsumer | ArrivalBatchConsumer<ReadBatch>;

export interface ConsumeOptions {
  batchSize?: number;
  /** Kept back from the horizon; see committedHorizon. */
  marginMs?: number;
}

// Keeps one organization's backlog from holding the others back for long.
const MAX_BATCHES_PER_ORG = 10;

const BEGINNING = { receivedAt: new Date(0), entryId: "00000000-0000-0000-0000-000000000000" };

async function allOrgIds(): Promise<string[]> {
  const rows = await getDb().select({ id: organizations.id }).from(organizations).orderBy(asc(organizations.id));
  return rows.map((r) => r.id);
}

async function ensureCursor(consumer: AnyConsumer, orgId: string, horizon: Date): Promise<void> {
  const start = consumer.startAt === "beginning" ? BEGINNING : { ...BEGINNING, receivedAt: horizon };
  await getDb()
    .insert(consumerCursors)
    .values({ orgId, consumer: consumer.name, receivedAt: start.receivedAt, entryId: start.entryId })
    .onConflictDoNothing();
}

/**
 * Runs a batch's read with the planner's sorts off, then turns them back on for the handler. New
 * entries lie past the table's statistics until it is analyzed again, so the planner expects a
 * handful of them and sorts them all for every batch: sealing a backlog of 150,000 read and
 * sorted all 150,000 for each block of 10,000 (docs/performance.md, Integrity). Without sorts it
 * merges each partition's (org_id, received_at, id) index in order and stops at the batch's last
 * row. SET LOCAL: nothing outlives the batch's transaction.
 */
export async function inArrivalOrder<T>(tx: Transaction, read: () => Promise<T>): Promise<T> {
  await tx.execute(sql`set local enable_sort = off`);
  const result = await read();
  await tx.execute(sql`set local enable_sort to default`);
  return result;
}

/**
 * One batch of one organization, if its cursor is free: returns how many entries were handled
 * (0 when there were none or another instance holds the cursor).
 */
async function consumeOrg(consumer: AnyConsumer, orgId: string, horizon: Date, batchSize: number): Promise<number> {
  return getDb().transaction(async (tx) => {
    await markWritesNoEntries(tx);
    const [cursor] = await tx
      .select({ receivedAt: consumerCursors.receivedAt, entryId: consumerCursors.entryId })
      .from(consumerCursors)
      .where(and(eq(consumerCursors.orgId, orgId), eq(consumerCursors.consumer, consumer.name)))
      .for("update", { skipLocked: true });
    if (!cursor) return 0;
    const t = auditLogs;
    // and() of defined conditions is never undefined.
    const newer: SQL = and(
      eq(t.orgId, orgId),
      sql`(${t.receivedAt}, ${t.id}) > (${isoTime(cursor.receivedAt)}::timestamptz, ${cursor.entryId}::uuid)`,
      sql`${t.receivedAt} < ${horizon.toISOString()}::timestamptz`,
    )!;
    let last: ArrivalPlace;
    let count: number;
    if (consumer.reads === "batch") {
      const batch = await inArrivalOrder(tx, () => consumer.read(tx, orgId, newer, batchSize));
      if (!batch || batch.count === 0) return 0;
      await consumer.handle(tx, orgId, batch);
      last = batch.last;
      count = batch.count;
    } else if (consumer.reads === "keys") {
      const rows = await inArrivalOrder(tx, () =>
        tx
          .select({ id: t.id, receivedAt: t.receivedAt, occurredAt: t.occurredAt })
          .from(t)
          .where(newer)
          .orderBy(asc(t.receivedAt), asc(t.id))
          .limit(batchSize),
      );
      if (rows.length === 0) return 0;
      const keys = rows.map((row) => ({
        orgId,
        id: row.id,
        receivedAt: isoTime(row.receivedAt),
        occurredAt: isoTime(row.occurredAt),
      }));
      await consumer.handle(tx, orgId, keys);
      last = keys[keys.length - 1]!;
      count = keys.length;
    } else {
      const rows = (await inArrivalOrder(tx, () =>
        tx.select(detailColumns(t)).from(t).where(newer).orderBy(asc(t.receivedAt), asc(t.id)).limit(batchSize),
      )) as DetailRow[];
      if (rows.length === 0) return 0;
      const entries = rows.map((row) => ({ ...toDetails(row), orgId }));
      await consumer.handle(tx, orgId, entries);
      last = entries[entries.length - 1]!;
      count = entries.length;
    }
    await tx
      .update(consumerCursors)
      .set({ receivedAt: new Date(last.receivedAt), entryId: last.id, updatedAt: new Date() })
      .where(and(eq(consumerCursors.orgId, orgId), eq(consumerCursors.consumer, consumer.name)));
    return count;
  });
}

/**
 * Reads every organization's new entries up to the committed horizon, up to MAX_BATCHES_PER_ORG
 * batches per organization per call. Returns how many entries were handled, so a runner knows to come back at once.
 */
export async function consumeArrivals(consumer: AnyConsumer, options: ConsumeOptions = {}): Promise<number> {
  const { batchSize = 500, marginMs = 1000 } = options;
  // No look-back limit: a long transaction holds the consumers back rather than being passed over.
  const horizon = await committedHorizon(getDb(), { lookBackMs: null, marginMs });
  let handled = 0;
  for (const orgId of await (consumer.orgIds ?? allOrgIds)()) {
    await ensureCursor(consumer, orgId, horizon);
    // A busy organization's backlog in one call, a bounded number of batches at a time: one batch
    // per organization per call made the round over every organization's cursor (a few round
    // trips each) the matcher's pace, which at 2,000 entries/s into one organization fell behind.
    for (let batches = 0; batches < MAX_BATCHES_PER_ORG; batches++) {
      const count = await consumeOrg(consumer, orgId, horizon, batchSize);
      handled += count;
      if (count < batchSize) break;
    }
  }
  return handled;
}
