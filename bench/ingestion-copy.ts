import "server-only";

import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { DatabaseHandle } from "@/db/client";
import { auditEventSchema, type AuditEvent } from "@/lib/audit/event-schema";
import { newEntryId } from "@/lib/audit/entry-id";
import { benchEvent } from "./ingestion";

/*
 * Issue 22's yardstick for ingestion: what PostgreSQL itself takes when the same events are
 * bulk-loaded with COPY into the same table (its indexes, partitions and roll-up trigger
 * included), on one connection. The events are the ingestion phase's own (benchEvent), validated
 * by the API's schema, so the rows are the ones the API would store; the text is made before the
 * clock starts, so the figure is the database's part alone.
 */

const COLUMNS = [
  "id",
  "org_id",
  "occurred_at",
  "actor_id",
  "actor_name",
  "actor_email",
  "category",
  "action",
  "description",
  "target_type",
  "target_id",
  "target_name",
  "result",
  "level",
  "service",
  "ip",
  "user_agent",
  "request_id",
  "correlation_id",
  "params",
  "before",
  "after",
  "error_code",
  "error_message",
  "idempotency_key",
] as const;

/** COPY's text format: backslash, tab and line breaks escaped, \N for null. */
function field(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  const text =
    value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value);
  return text.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

function line(orgId: string, e: AuditEvent): string {
  const values: Record<(typeof COLUMNS)[number], unknown> = {
    id: newEntryId(),
    org_id: orgId,
    occurred_at: e.occurredAt,
    actor_id: e.actor?.id,
    actor_name: e.actor?.name,
    actor_email: e.actor?.email,
    category: e.category,
    action: e.action,
    description: e.description,
    target_type: e.target?.type,
    target_id: e.target?.id,
    target_name: e.target?.name,
    result: e.result,
    level: e.level,
    service: e.service,
    ip: e.ip,
    user_agent: e.userAgent,
    request_id: e.requestId,
    correlation_id: e.correlationId,
    params: e.params,
    before: e.before,
    after: e.after,
    error_code: e.error?.code,
    error_message: e.error?.message,
    idempotency_key: e.idempotencyKey,
  };
  return `${COLUMNS.map((c) => field(values[c])).join("\t")}\n`;
}

export interface CopyIngestion {
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

export async function copyIngestion(
  handle: DatabaseHandle & { kind: "postgres" },
  orgId: string,
  events: number,
): Promise<CopyIngestion> {
  const runId = `c${Date.now().toString(36)}`;
  const now = Date.now();
  const chunks: string[] = [];
  for (let i = 0; i < events; i += 1000) {
    let chunk = "";
    for (let j = i; j < Math.min(events, i + 1000); j++)
      chunk += line(orgId, auditEventSchema.parse(benchEvent(runId, now)));
    chunks.push(chunk);
  }
  const started = performance.now();
  const writable = await handle.sql`copy audit_logs (${handle.sql.unsafe(COLUMNS.join(", "))}) from stdin`.writable();
  await pipeline(Readable.from(chunks), writable);
  const seconds = (performance.now() - started) / 1000;
  return { events, seconds, eventsPerSecond: Math.round(events / seconds) };
}
