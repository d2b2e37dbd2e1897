import "server-only";

import { desc, eq } from "drizzle-orm";
import { getDb, type Executor } from "@/db/client";
import { notificationChannels, notificationDeliveries, notificationRules } from "@/db/schema";
import type { NotificationChannelKind, NotificationDeliveryKind, NotificationDeliveryStatus } from "@/db/schema/enums";

/** One recent message for the settings page: plain, serialisable, dates as ISO strings. */
export interface DeliveryView {
  id: string;
  /** Null for a test message, or when its rule was deleted since. */
  ruleName: string | null;
  channelName: string;
  channelKind: NotificationChannelKind;
  kind: NotificationDeliveryKind;
  status: NotificationDeliveryStatus;
  attempts: number;
  lastError: string | null;
  /** E.g. which e-mail recipients were skipped for lacking audit.view. */
  detail: string | null;
  createdAt: string;
  deliveredAt: string | null;
  /** When the next try is due (pending), else null. */
  nextAttemptAt: string | null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** The organization's latest messages, newest first. The caller checks audit.manage. */
export async function recentDeliveries(orgId: string, limit = 50, db: Executor = getDb()): Promise<DeliveryView[]> {
  const n = Math.max(1, Math.min(500, Math.floor(limit)));
  const rows = await db
    .select({
      id: notificationDeliveries.id,
      ruleName: notificationRules.name,
      channelName: notificationChannels.name,
      channelKind: notificationChannels.kind,
      kind: notificationDeliveries.kind,
      status: notificationDeliveries.status,
      attempts: notificationDeliveries.attempts,
      lastError: notificationDeliveries.lastError,
      detail: notificationDeliveries.detail,
      createdAt: notificationDeliveries.createdAt,
      deliveredAt: notificationDeliveries.deliveredAt,
      nextAttemptAt: notificationDeliveries.nextAttemptAt,
    })
    .from(notificationDeliveries)
    .innerJoin(notificationChannels, eq(notificationChannels.id, notificationDeliveries.channelId))
    .leftJoin(notificationRules, eq(notificationRules.id, notificationDeliveries.ruleId))
    .where(eq(notificationDeliveries.orgId, orgId))
    .orderBy(desc(notificationDeliveries.createdAt), desc(notificationDeliveries.id))
    .limit(n);
  return rows.map((r) => ({
    ...r,
    createdAt: r.createdAt.toISOString(),
    deliveredAt: iso(r.deliveredAt),
    nextAttemptAt: r.status === "pending" ? iso(r.nextAttemptAt) : null,
  }));
}
