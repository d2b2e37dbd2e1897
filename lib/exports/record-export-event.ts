import "server-only";

import { getDb, type Executor } from "@/db/client";
import type { AuditResult } from "@/db/schema/enums";
import type { ConsoleEntry } from "@/lib/audit/console-entry";
import { recordConsoleEntry } from "@/lib/audit/record-audit-event";
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

function describe(event: Omit<ExportEvent, "ip" | "userAgent">): string {
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

/** The export's entry as ctx.record writes it from the action (who and from where are added there). */
export function exportEntry(event: Omit<ExportEvent, "ip" | "userAgent">): ConsoleEntry {
  return {
    category: "audit",
    action: "export",
    description: describe(event),
    service: "Audit log",
    target: { type: "audit_log", id: "audit_log", name: "Audit log" },
    result: event.result,
    correlationId: event.correlationId,
    params: event.params,
    error: event.error ?? null,
  };
}

/** The download's later entries ("done", "failed"), written outside any action. */
export async function recordExportEvent(
  orgId: string,
  actor: SessionUser,
  event: ExportEvent,
  db: Executor = getDb(),
): Promise<void> {
  await recordConsoleEntry(db, orgId, actor, { ip: event.ip, userAgent: event.userAgent }, exportEntry(event));
}
