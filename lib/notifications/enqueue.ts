import "server-only";

import { and, eq } from "drizzle-orm";
import { getDb, type Executor } from "@/db/client";
import { notificationChannels, notificationDeliveries, organizations, users } from "@/db/schema";
import { messageUrl } from "./links";
import type { NotificationPayload } from "./payload";

/*
 * "Send test": a message stored in the outbox like any other, so it goes through the same sender,
 * retries, signature and failure handling, and shows among the recent deliveries. Its one entry
 * is a sample marked as a test (the id of no stored entry; its url opens the organization's log).
 */

export const TEST_ENTRY_ID = "00000000-0000-0000-0000-000000000000";

export function testPayload(
  orgSlug: string,
  actor: { id: string; name: string; email: string } | null,
): NotificationPayload {
  const url = messageUrl(`/orgs/${encodeURIComponent(orgSlug)}/audit-logs`);
  const now = new Date().toISOString();
  return {
    rule: { id: "test", name: "Test message" },
    organization: orgSlug,
    entries: [
      {
        id: TEST_ENTRY_ID,
        url,
        occurredAt: now,
        category: "audit",
        action: "test",
        result: "done",
        level: "notice",
        actor,
        target: { type: "notification_channel", id: null, name: "test" },
        description: "Test message from the Audit Console: this channel works.",
      },
    ],
    text: `[${orgSlug}] Test message from the Audit Console: this channel works. ${url}`,
    test: true,
  };
}

/**
 * Stores a test delivery for one of the organization's channels and answers its id, or null when
 * the organization has no such channel (another organization's channel looks the same). The
 * caller checks audit.manage and writes the audit entry, in `db` when it is a transaction.
 */
export async function enqueueTestDelivery(
  { orgId, channelId, actorUserId }: { orgId: string; channelId: string; actorUserId: string | null },
  db: Executor = getDb(),
): Promise<string | null> {
  const [channel] = await db
    .select({ id: notificationChannels.id, slug: organizations.slug })
    .from(notificationChannels)
    .innerJoin(organizations, eq(organizations.id, notificationChannels.orgId))
    .where(and(eq(notificationChannels.orgId, orgId), eq(notificationChannels.id, channelId)))
    .limit(1);
  if (!channel) return null;
  const actor = actorUserId === null ? null : await actorOf(db, actorUserId);
  const [row] = await db
    .insert(notificationDeliveries)
    .values({
      orgId,
      channelId,
      ruleId: null,
      kind: "test",
      // Every test is a message of its own.
      dedupeKey: `test:${crypto.randomUUID()}`,
      payload: testPayload(channel.slug, actor),
    })
    .returning({ id: notificationDeliveries.id });
  return row!.id;
}

async function actorOf(db: Executor, userId: string) {
  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return user ?? null;
}
