import "server-only";

import { auditLogs, auditLogsArchive, type AuditLogTable } from "@/db/schema/audit-logs";
import type { Scope } from "./search-params";

/** The live table's type: the archive has the same columns, so queries are typed against it. */
export type LiveShape = typeof auditLogs;

export function auditTableFor(scope: Scope): AuditLogTable {
  return scope === "archive" ? auditLogsArchive : auditLogs;
}

export function asLiveShape(table: AuditLogTable): LiveShape {
  return table as LiveShape;
}
