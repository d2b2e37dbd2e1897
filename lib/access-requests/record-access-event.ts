import "server-only";

import { headers } from "next/headers";
import type { Executor } from "@/db/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { SessionUser } from "@/lib/auth/access";
import { clientIp, userAgent } from "@/lib/auth/request-context";

export interface AccessEvent {
  action: string;
  description: string;
  target: { id: string; name: string };
  params?: Record<string, unknown>;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/**
 * Permission changes and access requests are written to the organization's own log (category
 * user, level notice), in the caller's transaction so the entry exists exactly when the change does.
 */
export async function recordAccessEvent(
  tx: Executor,
  orgId: string,
  actor: SessionUser,
  event: AccessEvent,
): Promise<void> {
  const h = await headers();
  await recordAuditEvent(
    orgId,
    {
      occurredAt: new Date().toISOString(),
      actor: { id: actor.id, name: actor.name, email: actor.email },
      category: "user",
      action: event.action,
      description: event.description,
      target: { type: "user", id: event.target.id, name: event.target.name },
      result: "done",
      level: "notice",
      service: "Access settings",
      ip: clientIp(h),
      userAgent: userAgent(h),
      params: event.params ?? null,
      before: event.before ?? null,
      after: event.after ?? null,
    },
    tx,
  );
}
