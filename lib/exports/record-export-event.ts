import "server-only";

import { getDb, type Executor } from "@/db/client";
import type { AuditResult } from "@/db/schema/enums";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { SessionUser } from "@/lib/auth/access";

/*
 * Exports are written to the organization's own log (category audit, action export, level
 * notice) as an asynchronous operation: "pending" when the action hands out the download link,
 * then "done" or "failed" when the download ends, all sharing one correlation id so the details
 * view shows the whole timeline.
 */

export interface ExportEvent {
  result: AuditResult;
  format: string;
  rows: number;
  correlationId: string;
  params: Record<string, unknown>;
  error?: { code: string; message: string };
  ip: string | null;
  userAgent: string | null;
}

function describe(event: ExportEvent): string {
  const what = `${event.rows.toLocaleString("en-US")} audit log ${event.rows === 1 ? "entry" : "entries"} as ${event.format}`;
  switch (event.result) {
    case "pending":
      return `prepare export of ${what}`;
    case "done":
      return `export ${what}`;
    default:
      return `export of ${what} failed`;
  }
}

export async function recordExportEvent(
  orgId: string,
  actor: SessionUser,
  event: ExportEvent,
  db: Executor = getDb(),
): Promise<void> {
  await recordAuditEvent(
    orgId,
    {
      occurredAt: new Date().toISOString(),
      actor: { id: actor.id, name: actor.name, email: actor.email },
      category: "audit",
      action: "export",
      description: describe(event),
      target: { type: "audit_log", id: "audit_log", name: "Audit log" },
      result: event.result,
      level: "notice",
      service: "Audit log",
      ip: event.ip,
      userAgent: event.userAgent,
      correlationId: event.correlationId,
      params: event.params,
      error: event.error ?? null,
    },
    db,
  );
}
