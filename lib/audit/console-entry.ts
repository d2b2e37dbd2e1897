import type { AuditCategory, AuditLevel, AuditResult } from "@/db/schema/enums";
import type { AuditEventInput } from "./event-schema";

/** The person an entry is about acting, or null for the console itself (scripts, scheduled jobs). */
export interface EntryActor {
  id: string;
  name: string;
  email: string;
}

/** The request the entry comes from, as the console's server decided it; nulls outside a request. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
}

/** What one of the console's own entries says; consoleEntry adds when, who and from where. */
export interface ConsoleEntry {
  category: AuditCategory;
  action: string;
  description: string;
  service: string;
  target: { type: string; id: string | null; name: string } | null;
  /** Default "done". */
  result?: AuditResult;
  /** Default "notice": the console records changes people make. */
  level?: AuditLevel;
  params?: Record<string, unknown> | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  correlationId?: string | null;
  error?: { code: string; message: string } | null;
}

export const NO_REQUEST: RequestContext = { ip: null, userAgent: null };

/**
 * The one shape of the console's own audit entries (sign-ins, permission changes, API keys,
 * retention, exports): the same fields filled the same way whoever writes them, validated
 * afterwards like any event the API receives.
 */
export function consoleEntry(
  actor: EntryActor | null,
  request: RequestContext,
  entry: ConsoleEntry,
  occurredAt: Date = new Date(),
): AuditEventInput {
  return {
    occurredAt: occurredAt.toISOString(),
    actor: actor && { id: actor.id, name: actor.name, email: actor.email },
    category: entry.category,
    action: entry.action,
    description: entry.description,
    target: entry.target,
    result: entry.result ?? "done",
    level: entry.level ?? "notice",
    service: entry.service,
    ip: request.ip,
    userAgent: request.userAgent,
    correlationId: entry.correlationId ?? null,
    params: entry.params ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    error: entry.error ?? null,
  };
}
