import "server-only";

import { and, desc, eq, isNull } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { getDb } from "@/db/client";
import { accessRequests, users } from "@/db/schema";
import type { RequestedPermission } from "./requested-permission";

export type AccessRequestState =
  | { kind: "none" }
  | { kind: "pending"; requestedAt: string }
  | { kind: "approved" | "declined"; decidedAt: string | null; decidedByName: string | null };

/**
 * Where the caller's latest request for `permission` in this organization stands. A decision is
 * reported once: returning it marks it seen, so the next visit shows the plain notice (or the
 * page) again. A request for view and one for manage are separate, each reported where it was made.
 */
export async function getMyAccessRequestState(
  orgId: string,
  userId: string,
  permission: RequestedPermission = "audit.view",
): Promise<AccessRequestState> {
  const db = getDb();
  const decider = alias(users, "decider");
  const [latest] = await db
    .select({
      id: accessRequests.id,
      status: accessRequests.status,
      createdAt: accessRequests.createdAt,
      decidedAt: accessRequests.decidedAt,
      outcomeSeenAt: accessRequests.outcomeSeenAt,
      decidedByName: decider.name,
    })
    .from(accessRequests)
    .leftJoin(decider, eq(decider.id, accessRequests.decidedBy))
    .where(
      and(
        eq(accessRequests.orgId, orgId),
        eq(accessRequests.userId, userId),
        eq(accessRequests.permission, permission),
      ),
    )
    .orderBy(desc(accessRequests.createdAt))
    .limit(1);
  if (!latest) return { kind: "none" };
  if (latest.status === "pending") return { kind: "pending", requestedAt: latest.createdAt.toISOString() };
  if (latest.outcomeSeenAt) return { kind: "none" };
  // Only the request that was unseen is marked, so two tabs loading at once both report it at most once each.
  const marked = await db
    .update(accessRequests)
    .set({ outcomeSeenAt: new Date() })
    .where(and(eq(accessRequests.orgId, orgId), eq(accessRequests.id, latest.id), isNull(accessRequests.outcomeSeenAt)))
    .returning({ id: accessRequests.id });
  if (marked.length === 0) return { kind: "none" };
  return {
    kind: latest.status,
    decidedAt: latest.decidedAt?.toISOString() ?? null,
    decidedByName: latest.decidedByName,
  };
}
