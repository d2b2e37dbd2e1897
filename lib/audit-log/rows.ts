import "server-only";

import type { auditLogs } from "@/db/schema/audit-logs";
import type { AuditEntryDetails, AuditEntrySummary, JsonValue } from "./types";

/*
 * The columns the console reads for an entry, and the DTOs they become. Raw rows stop here:
 * everything above this module handles plain, serialisable objects with ISO strings for times.
 */

// Both tables have the live table's columns; queries are typed against it.
type T = typeof auditLogs;

export function summaryColumns(t: T) {
  return {
    id: t.id,
    occurredAt: t.occurredAt,
    actorId: t.actorId,
    actorName: t.actorName,
    actorEmail: t.actorEmail,
    category: t.category,
    action: t.action,
    description: t.description,
    targetType: t.targetType,
    targetId: t.targetId,
    targetName: t.targetName,
    result: t.result,
    level: t.level,
    service: t.service,
    errorCode: t.errorCode,
  };
}

export function detailColumns(t: T) {
  return {
    ...summaryColumns(t),
    receivedAt: t.receivedAt,
    ip: t.ip,
    userAgent: t.userAgent,
    requestId: t.requestId,
    correlationId: t.correlationId,
    params: t.params,
    before: t.before,
    after: t.after,
    errorMessage: t.errorMessage,
  };
}

type Columns<C> = { [K in keyof C]: C[K] extends { _: { data: infer D } } ? D | null : never };

export type SummaryRow = Columns<ReturnType<typeof summaryColumns>> & { id: string; occurredAt: Date };
export type DetailRow = SummaryRow & Columns<Omit<ReturnType<typeof detailColumns>, keyof SummaryRow>>;

// Drivers hand timestamps back as Date (drizzle's mapping), but raw values can be strings.
export function isoTime(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function toSummary(row: SummaryRow): AuditEntrySummary {
  const hasActor = row.actorId !== null || row.actorName !== null || row.actorEmail !== null;
  return {
    id: row.id,
    occurredAt: isoTime(row.occurredAt),
    actor: hasActor ? { id: row.actorId, name: row.actorName, email: row.actorEmail } : null,
    category: row.category!,
    action: row.action!,
    description: row.description,
    target: { type: row.targetType, id: row.targetId, name: row.targetName },
    result: row.result!,
    level: row.level!,
    service: row.service,
    errorCode: row.errorCode,
  };
}

export function toDetails(row: DetailRow): AuditEntryDetails {
  return {
    ...toSummary(row),
    receivedAt: isoTime(row.receivedAt!),
    ip: row.ip === null ? null : String(row.ip),
    userAgent: row.userAgent,
    requestId: row.requestId,
    correlationId: row.correlationId,
    params: (row.params ?? null) as JsonValue | null,
    before: (row.before ?? null) as JsonValue | null,
    after: (row.after ?? null) as JsonValue | null,
    errorMessage: row.errorMessage,
  };
}
