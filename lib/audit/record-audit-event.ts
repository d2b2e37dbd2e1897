import "server-only";

import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { getDb, type Executor } from "@/db/client";
import { auditIdempotency, auditLogs } from "@/db/schema";
import { auditEventSchema, type AuditEvent, type AuditEventInput } from "./event-schema";

type AuditRow = Record<(typeof COLUMNS)[number][0], string | null>;

// Column name and SQL type of every value an event carries. Each column travels as ONE array
// parameter and is unnested in the database: a 500-event batch is 27 parameters instead of
// 13,500, which took most of the ingestion time in the benchmark.
const COLUMNS = [
  ["id", "uuid"],
  ["org_id", "uuid"],
  ["occurred_at", "timestamptz"],
  ["actor_id", "text"],
  ["actor_name", "text"],
  ["actor_email", "text"],
  ["category", "audit_category"],
  ["action", "text"],
  ["description", "text"],
  ["target_type", "text"],
  ["target_id", "text"],
  ["target_name", "text"],
  ["result", "audit_result"],
  ["level", "audit_level"],
  ["service", "text"],
  ["ip", "inet"],
  ["user_agent", "text"],
  ["request_id", "text"],
  ["correlation_id", "text"],
  ["params", "jsonb"],
  ["before", "jsonb"],
  ["after", "jsonb"],
  ["error_code", "text"],
  ["error_message", "text"],
  ["idempotency_key", "text"],
] as const;

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

function toRow(id: string, orgId: string, event: AuditEvent): AuditRow {
  return {
    id,
    org_id: orgId,
    occurred_at: event.occurredAt.toISOString(),
    actor_id: event.actor?.id ?? null,
    actor_name: event.actor?.name ?? null,
    actor_email: event.actor?.email ?? null,
    category: event.category,
    action: event.action,
    description: event.description,
    target_type: event.target?.type ?? null,
    target_id: event.target?.id ?? null,
    target_name: event.target?.name ?? null,
    result: event.result,
    level: event.level,
    service: event.service,
    ip: event.ip,
    user_agent: event.userAgent,
    request_id: event.requestId,
    correlation_id: event.correlationId,
    params: json(event.params),
    before: json(event.before),
    after: json(event.after),
    error_code: event.error?.code ?? null,
    error_message: event.error?.message ?? null,
    idempotency_key: event.idempotencyKey,
  };
}

async function insertRows(db: Executor, rows: AuditRow[]): Promise<void> {
  const names = sql.join(COLUMNS.map(([name]) => sql.identifier(name)), sql`, `);
  const arrays = sql.join(
    COLUMNS.map(([name, type]) => sql`${sql.param(rows.map((row) => row[name]))}::text[]::${sql.raw(type)}[]`),
    sql`, `,
  );
  await db.execute(sql`insert into ${auditLogs} (${names}) select * from unnest(${arrays})`);
}

export interface StoredEntry {
  id: string;
  occurredAt: Date;
  /** False when an idempotency key matched an entry stored earlier. */
  created: boolean;
}

/**
 * Stores already-validated events in one transaction, in the order given. An event whose
 * idempotency key is already known (from an earlier call or earlier in the same batch) stores
 * nothing and answers with the entry stored the first time.
 */
export async function storeAuditEvents(db: Executor, orgId: string, events: readonly AuditEvent[]): Promise<StoredEntry[]> {
  if (events.length === 0) return [];
  return db.transaction(async (tx) => {
    const keys = [...new Set(events.map((e) => e.idempotencyKey).filter((k): k is string => k !== null))];
    const known = new Map<string, StoredEntry>();
    if (keys.length) {
      const rows = await tx
        .select({ key: auditIdempotency.key, id: auditIdempotency.entryId, occurredAt: auditIdempotency.occurredAt })
        .from(auditIdempotency)
        .where(and(eq(auditIdempotency.orgId, orgId), inArray(auditIdempotency.key, keys)));
      for (const row of rows) known.set(row.key, { id: row.id, occurredAt: row.occurredAt, created: false });
    }
    const fresh: { index: number; event: AuditEvent }[] = [];
    const seenInBatch = new Set<string>();
    events.forEach((event, index) => {
      const key = event.idempotencyKey;
      if (key !== null && (known.has(key) || seenInBatch.has(key))) return;
      if (key !== null) seenInBatch.add(key);
      fresh.push({ index, event });
    });
    // Ids are made here, so each event's answer never depends on the order RETURNING gives rows in.
    const inserted = fresh.map(({ event }) => ({ id: randomUUID(), occurredAt: event.occurredAt }));
    if (fresh.length) await insertRows(tx, fresh.map(({ event }, i) => toRow(inserted[i]!.id, orgId, event)));
    const results: (StoredEntry | undefined)[] = new Array(events.length);
    const idempotencyRows: { key: string; entryId: string; occurredAt: Date }[] = [];
    fresh.forEach(({ index, event }, i) => {
      const row = inserted[i]!;
      results[index] = { id: row.id, occurredAt: row.occurredAt, created: true };
      if (event.idempotencyKey !== null) {
        known.set(event.idempotencyKey, { id: row.id, occurredAt: row.occurredAt, created: false });
        idempotencyRows.push({ key: event.idempotencyKey, entryId: row.id, occurredAt: row.occurredAt });
      }
    });
    if (idempotencyRows.length) {
      // A concurrent request with the same key makes this insert fail and the whole batch roll
      // back, so the retry answers from the keys the other request stored.
      await tx.execute(sql`
        insert into ${auditIdempotency} (org_id, key, entry_id, occurred_at)
        select ${orgId}::uuid, * from unnest(
          ${sql.param(idempotencyRows.map((r) => r.key))}::text[],
          ${sql.param(idempotencyRows.map((r) => r.entryId))}::text[]::uuid[],
          ${sql.param(idempotencyRows.map((r) => r.occurredAt.toISOString()))}::text[]::timestamptz[])`);
    }
    events.forEach((event, index) => {
      results[index] ??= known.get(event.idempotencyKey!);
    });
    return results as StoredEntry[];
  });
}

/** The console's own events (sign-ins, permission changes, exports...). Validates like the API. */
export async function recordAuditEvent(orgId: string, input: AuditEventInput, db: Executor = getDb()): Promise<StoredEntry> {
  const event = auditEventSchema.parse(input);
  const [stored] = await storeAuditEvents(db, orgId, [event]);
  return stored!;
}
