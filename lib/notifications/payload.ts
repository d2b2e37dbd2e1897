import type { AuditCategory, AuditLevel, AuditResult } from "@/db/schema/enums";
import type { AuditEntrySummary } from "@/lib/audit-log/types";

/*
 * The message of the contract's "Notifications" section: the webhook's JSON body, stored in the
 * outbox as built when the rule matched (so every retry sends the same bytes), and the source of
 * the e-mail's text and HTML. Pure.
 */

export interface PayloadEntry {
  id: string;
  /** The entry's permalink. */
  url: string;
  occurredAt: string;
  category: AuditCategory;
  action: string;
  result: AuditResult;
  level: AuditLevel;
  actor: { id: string | null; name: string | null; email: string | null } | null;
  target: { type: string | null; id: string | null; name: string | null } | null;
  description: string | null;
}

export interface NotificationPayload {
  rule: { id: string; name: string };
  organization: string;
  entries: PayloadEntry[];
  /** Threshold messages: the explorer over the matching window. */
  searchUrl?: string;
  text: string;
  /** Only on a "Send test" message. */
  test?: true;
}

/** A threshold message lists at most this many of its entries (newest first); searchUrl has all. */
export const MAX_THRESHOLD_ENTRIES = 20;

export function payloadEntry(entry: AuditEntrySummary, url: string): PayloadEntry {
  const target = entry.target;
  return {
    id: entry.id,
    url,
    occurredAt: entry.occurredAt,
    category: entry.category,
    action: entry.action,
    result: entry.result,
    level: entry.level,
    actor: entry.actor,
    target: target.type === null && target.id === null && target.name === null ? null : target,
    description: entry.description,
  };
}

// One line for chat tools: no line breaks, bounded, whatever the entry's fields hold.
function oneLine(text: string, max = 300): string {
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function who(entry: PayloadEntry): string {
  return entry.actor?.email ?? entry.actor?.name ?? entry.actor?.id ?? "[nobody]";
}

export function entryLine(entry: PayloadEntry): string {
  const what = entry.description ?? `${entry.action}${entry.target?.name ? ` ${entry.target.name}` : ""}`;
  return `${entry.category}/${entry.action} ${entry.result} by ${who(entry)}: ${what}`;
}

export function eachText(ruleName: string, orgSlug: string, entry: PayloadEntry): string {
  return oneLine(`[${orgSlug}] ${ruleName}: ${entryLine(entry)} ${entry.url}`, 600);
}

export function thresholdText(
  ruleName: string,
  orgSlug: string,
  count: number,
  minutes: number,
  group: string | null,
  searchUrl: string,
): string {
  const scope = group === null ? "" : ` for ${group}`;
  return oneLine(`[${orgSlug}] ${ruleName}: ${count} matching entries within ${minutes} min${scope} ${searchUrl}`, 600);
}

export function messageSubject(payload: NotificationPayload): string {
  const prefix = payload.test ? "[test] " : "";
  if (payload.searchUrl !== undefined) {
    return oneLine(`${prefix}${payload.rule.name}: ${payload.entries.length} entries (${payload.organization})`, 200);
  }
  const first = payload.entries[0];
  return oneLine(
    `${prefix}${payload.rule.name}: ${first ? `${first.category}/${first.action} ${first.result}` : "no entries"} (${payload.organization})`,
    200,
  );
}
