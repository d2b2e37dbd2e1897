import type { AuditCategory, AuditLevel, AuditResult } from "@/db/schema/enums";

/*
 * What the explorer's data layer hands to its components: plain, serialisable DTOs (dates as ISO
 * strings), never drizzle rows. Shared by the page, the table, the details view and the export.
 */

export interface AuditActor {
  id: string | null;
  name: string | null;
  email: string | null;
}

export interface AuditEntrySummary {
  id: string;
  occurredAt: string;
  /** Null when the service acted by itself or the actor does not exist: shown as [nobody]. */
  actor: AuditActor | null;
  category: AuditCategory;
  action: string;
  description: string | null;
  target: { type: string | null; id: string | null; name: string | null };
  result: AuditResult;
  level: AuditLevel;
  /** The service or module that wrote the entry. */
  service: string | null;
  errorCode: string | null;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface AuditEntryDetails extends AuditEntrySummary {
  receivedAt: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  correlationId: string | null;
  params: JsonValue | null;
  before: JsonValue | null;
  after: JsonValue | null;
  errorMessage: string | null;
  /** Deep or large JSON fields, sent as an outline instead of whole (their value above is null). */
  collapsed?: Partial<Record<JsonField, CollapsedJson>>;
}

export type JsonField = "params" | "before" | "after";

export interface CollapsedJson {
  /** Indented JSON of the first levels and entries; deeper parts summarised. */
  outline: string;
  /** Compact JSON text, cut at a limit when rawComplete is false. */
  raw: string;
  rawComplete: boolean;
  reason: "deep" | "large";
}

/** One step of an asynchronous operation: the entries that share a correlation id, oldest first. */
export interface TimelineStep {
  id: string;
  occurredAt: string;
  result: AuditResult;
  action: string;
}

/** The explorer's first listed entry, where "new entries" start (the "N new entries" bar). */
export interface NewestShown {
  /** ISO instant with milliseconds, the column's precision. */
  occurredAt: string;
  id: string;
}
