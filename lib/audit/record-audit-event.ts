import "server-only";

import { and, eq, inArray } from "drizzle-orm";
import { getDb, type Executor } from "@/db/client";
import { auditIdempotency, auditLogs } from "@/db/schema";
import { auditEventSchema, type AuditEvent, type AuditEventInput } from "./event-schema";

function toRow(orgId: string, event: AuditEvent): typeof auditLogs.$inferInsert {
  return {
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
    const inserted = fresh.length
      ? await tx
          .insert(auditLogs)
          .values(fresh.map(({ event }) => toRow(orgId, event)))
          .returning({ id: auditLogs.id, occurredAt: auditLogs.occurredAt })
      : [];
    const results: (StoredEntry | undefined)[] = new Array(events.length);
    const idempotencyRows: (typeof auditIdempotency.$inferInsert)[] = [];
    fresh.forEach(({ index, event }, i) => {
      const row = inserted[i]!;
      results[index] = { id: row.id, occurredAt: row.occurredAt, created: true };
      if (event.idempotencyKey !== null) {
        known.set(event.idempotencyKey, { id: row.id, occurredAt: row.occurredAt, created: false });
        idempotencyRows.push({ orgId, key: event.idempotencyKey, entryId: row.id, occurredAt: row.occurredAt });
      }
    });
    if (idempotencyRows.length) {
      // A concurrent request with the same key makes this insert fail and the whole batch roll
      // back, so the retry answers from the keys the other request stored.
      await tx.insert(auditIdempotency).values(idempotencyRows);
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
