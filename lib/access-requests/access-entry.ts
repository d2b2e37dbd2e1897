import type { ConsoleEntry } from "@/lib/audit/console-entry";

export interface AccessEvent {
  action: string;
  description: string;
  target: { id: string; name: string };
  params?: Record<string, unknown>;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/**
 * Permission changes and access requests, as the organization's own log records them (category
 * user, level notice); written with ctx.record in the transaction that makes the change.
 */
export function accessEntry(event: AccessEvent): ConsoleEntry {
  return {
    category: "user",
    action: event.action,
    description: event.description,
    service: "Access settings",
    target: { type: "user", id: event.target.id, name: event.target.name },
    params: event.params ?? null,
    before: event.before ?? null,
    after: event.after ?? null,
  };
}
