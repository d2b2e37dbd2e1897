import "server-only";

import { and, eq, getTableColumns, sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { queryRows, type Executor } from "@/db/client";
import { isConnectionLost, isUniqueViolation } from "@/db/connection-errors";
import { auditIdempotency, auditLogs } from "@/db/schema";
import { consoleEntry, type ConsoleEntry, type EntryActor, type RequestContext } from "./console-entry";
import { newEntryId } from "./entry-id";
import { auditEventSchema, type AuditEvent } from "./event-schema";

type NewAuditRow = Omit<typeof auditLogs.$inferInsert, "receivedAt">;

/*
 * The columns an event fills, with their SQL types, read off the drizzle table: the record type
 * the batch's JSON is read back with (insertClaimingKeys). received_at is left to its default.
 */
const COLUMNS = Object.entries(getTableColumns(auditLogs))
  .filter(([key]) => key !== "receivedAt")
  .map(([key, column]) => ({ key: key as keyof NewAuditRow, name: column.name, type: column.getSQLType() }));

function toRow(id: string, orgId: string, event: AuditEvent): NewAuditRow {
  return {
    id,
    orgId,
    occurredAt: event.occurredAt,
    actorId: event.actor?.id ?? null,
    actorName: event.actor?.name ?? null,
    actorEmail: event.actor?.email ?? null,
    category: event.category,
    action: event.action,
    description: event.description,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    targetName: event.target?.name ?? null,
    result: event.result,
    level: event.level,
    service: event.service,
    ip: event.ip,
    userAgent: event.userAgent,
    requestId: event.requestId,
    correlationId: event.correlationId,
    params: event.params,
    before: event.before,
    after: event.after,
    errorCode: event.error?.code ?? null,
    errorMessage: event.error?.message ?? null,
    idempotencyKey: event.idempotencyKey,
  };
}

// The batch's JSON, keyed by column name as json_to_recordset reads it.
function batchJson(rows: readonly NewAuditRow[]): string {
  return JSON.stringify(rows.map((row) => Object.fromEntries(COLUMNS.map((c) => [c.name, row[c.key] ?? null]))));
}

export interface StoredEntry {
  id: string;
  occurredAt: Date;
  /** False when an idempotency key matched an entry stored earlier. */
  created: boolean;
}

/**
 * Stores already-validated events, in the order given, in ONE statement (atomic without a
 * transaction block, and one round trip). An event whose idempotency key is already known (from
 * an earlier call or earlier in the same batch) stores nothing and answers with the entry stored
 * the first time.
 */
export async function storeAuditEvents(
  db: Executor,
  orgId: string,
  events: readonly AuditEvent[],
): Promise<StoredEntry[]> {
  if (events.length === 0) return [];
  // Ids are made here, so each event's answer never depends on the order RETURNING gives rows in.
  const ids = events.map(() => newEntryId());
  // Within a batch, the first event with a key owns it; later ones are its duplicates.
  const owners = new Map<string, number>();
  events.forEach((event, index) => {
    const key = event.idempotencyKey;
    if (key !== null && !owners.has(key)) owners.set(key, index);
  });
  const candidates = events.flatMap((event, index) => {
    const key = event.idempotencyKey;
    return key === null || owners.get(key) === index ? [toRow(ids[index]!, orgId, event)] : [];
  });
  const claimed = await insertClaimingKeysOnce(db, candidates);
  const earlier = await storedEntriesFor(
    db,
    orgId,
    [...owners.keys()].filter((key) => !claimed.has(key)),
  );
  return events.map((event, index): StoredEntry => {
    const key = event.idempotencyKey;
    if (key === null) return { id: ids[index]!, occurredAt: event.occurredAt, created: true };
    const owner = owners.get(key)!;
    if (!claimed.has(key)) {
      const stored = earlier.get(key);
      // Only a key removed between the two statements gets here; failing makes the client retry.
      if (!stored) throw new Error(`Idempotency key "${key}" was taken but no entry is stored for it; retry the batch`);
      return stored;
    }
    return { id: ids[owner]!, occurredAt: events[owner]!.occurredAt, created: owner === index };
  });
}

/**
 * Claims the rows' idempotency keys and inserts the rows whose key was new (or who have none), in
 * one statement; answers the keys claimed.
 *
 * - The batch travels as ONE parameter, the JSON text of its rows, read by json_to_recordset: one
 *   parameter per value and then one text array per column both cost more in Node and in
 *   PostgreSQL (docs/performance-history.md).
 * - ON CONFLICT goes through the unique index whatever the planner believes about the table (a
 *   key lookup planned on stale statistics read every key of the organization), and a key that a concurrent request is storing waits for that request to end.
 * - One statement needs no transaction block: postgres.js 3.4 can crash the process when a
 *   connection dies inside `begin()` (porsager/postgres#1133, #1208), and ingestion is the path
 *   that runs all day.
 */
async function insertClaimingKeys(db: Executor, rows: NewAuditRow[]): Promise<Set<string>> {
  const names = sql.join(
    COLUMNS.map((c) => sql.identifier(c.name)),
    sql`, `,
  );
  const record = sql.join(
    COLUMNS.map((c) => sql`${sql.identifier(c.name)} ${sql.raw(c.type)}`),
    sql`, `,
  );
  const claimed = await queryRows<{ key: string }>(
    db,
    sql`
      with batch as (select * from json_to_recordset(${batchJson(rows)}::json) as r(${record})),
      claimed as (
        insert into ${auditIdempotency} (org_id, key, entry_id, occurred_at)
        select org_id, idempotency_key, id, occurred_at from batch where idempotency_key is not null
        on conflict (org_id, key) do nothing
        returning key
      ),
      stored as (
        insert into ${auditLogs} (${names})
        select ${names} from batch where idempotency_key is null or idempotency_key in (select key from claimed)
      )
      select key from claimed`,
  );
  return new Set(claimed.map((row) => row.key));
}

/**
 * insertClaimingKeys, run once more when its connection died before the answer came. Running the
 * same statement again is safe because it carries the same entry ids: if the first run was rolled
 * back (the usual case: the server ended the backend mid-statement), the second stores the batch;
 * if it was committed and only its answer was lost, its keys are taken (nothing is stored twice)
 * and an entry without a key collides on the primary key with itself, which proves the whole
 * batch was stored by the first run. Inside a transaction nothing can be run again: the caller's
 * transaction has failed.
 */
async function insertClaimingKeysOnce(db: Executor, rows: NewAuditRow[]): Promise<Set<string>> {
  try {
    return await insertClaimingKeys(db, rows);
  } catch (error) {
    if (db instanceof PgTransaction || !isConnectionLost(error)) throw error;
  }
  try {
    return await insertClaimingKeys(db, rows);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return new Set(rows.flatMap((row) => (row.idempotencyKey ? [row.idempotencyKey] : [])));
  }
}

/** The entries stored earlier under these keys (committed: a conflicting claim waited for them). */
async function storedEntriesFor(
  tx: Executor,
  orgId: string,
  keys: readonly string[],
): Promise<Map<string, StoredEntry>> {
  if (keys.length === 0) return new Map();
  const rows = await tx
    .select({ key: auditIdempotency.key, id: auditIdempotency.entryId, occurredAt: auditIdempotency.occurredAt })
    .from(auditIdempotency)
    .where(and(eq(auditIdempotency.orgId, orgId), sql`${auditIdempotency.key} = any(${sql.param(keys)}::text[])`));
  return new Map(rows.map((row) => [row.key, { id: row.id, occurredAt: row.occurredAt, created: false }]));
}

/**
 * Writes one of the console's own entries (lib/audit/console-entry.ts), validated like the API's
 * events; pass the transaction that makes the change, so the entry exists exactly when it does.
 */
export async function recordConsoleEntry(
  db: Executor,
  orgId: string,
  actor: EntryActor | null,
  request: RequestContext,
  entry: ConsoleEntry,
): Promise<StoredEntry> {
  const event = auditEventSchema.parse(consoleEntry(actor, request, entry));
  const [stored] = await storeAuditEvents(db, orgId, [event]);
  return stored!;
}
