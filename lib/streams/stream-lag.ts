import "server-only";

import { and, asc, count, eq, sql, type SQL } from "drizzle-orm";
import { getDb, type Executor } from "@/db/client";
import { auditLogs, consumerCursors, streamDestinations } from "@/db/schema";
import { isoTime } from "@/lib/audit-log/rows";
import { streamCursorName } from "./stream-sender";
import { streamSearchWhere } from "./stream-search";

/*
 * How far behind a destination is: the matching entries after its cursor and when the oldest of
 * them arrived. Counted over at most LAG_SCAN entries after the cursor (one index range), so a
 * destination paused for a week costs the page the same as one that keeps up; beyond that the
 * count says "more".
 */

export const LAG_SCAN = 10_000;

export interface StreamLag {
  behind: { count: number; more: boolean };
  oldestUnsentAt: string | null;
}

export async function streamLag(
  orgId: string,
  destination: { id: string; query: string },
  db: Executor = getDb(),
): Promise<StreamLag> {
  const c = consumerCursors;
  const [cursor] = await db
    .select({ receivedAt: c.receivedAt, entryId: c.entryId })
    .from(c)
    .where(and(eq(c.orgId, orgId), eq(c.consumer, streamCursorName(destination.id))))
    .limit(1);
  if (!cursor) return { behind: { count: 0, more: false }, oldestUnsentAt: null };
  const t = auditLogs;
  const after: SQL = sql`(${t.receivedAt}, ${t.id}) > (${isoTime(cursor.receivedAt)}::timestamptz, ${cursor.entryId}::uuid)`;
  const [bound] = await db
    .select({ receivedAt: t.receivedAt, id: t.id })
    .from(t)
    .where(and(eq(t.orgId, orgId), after))
    .orderBy(asc(t.receivedAt), asc(t.id))
    .offset(LAG_SCAN - 1)
    .limit(1);
  const upTo = bound
    ? sql`(${t.receivedAt}, ${t.id}) <= (${isoTime(bound.receivedAt)}::timestamptz, ${bound.id}::uuid)`
    : undefined;
  const [row] = await db
    .select({ n: count(), oldest: sql<string | Date | null>`min(${t.receivedAt})` })
    .from(t)
    .where(and(eq(t.orgId, orgId), after, upTo, streamSearchWhere(t, destination.query)));
  const oldest = row?.oldest ?? null;
  return {
    behind: { count: Number(row?.n ?? 0), more: bound !== undefined },
    oldestUnsentAt: oldest === null ? null : isoTime(oldest),
  };
}

export async function listStreamDestinations(orgId: string, db: Executor = getDb()) {
  return db
    .select()
    .from(streamDestinations)
    .where(eq(streamDestinations.orgId, orgId))
    .orderBy(asc(streamDestinations.createdAt), asc(streamDestinations.id));
}
