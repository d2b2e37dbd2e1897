import "server-only";

import { and, eq, or, sql } from "drizzle-orm";
import { getDb, queryRows } from "@/db/client";
import { notificationChannels, notificationDeliveries, notificationRules } from "@/db/schema";
import type { NotificationChannelKind } from "@/db/schema/enums";
import { NO_REQUEST } from "@/lib/audit/console-entry";
import { recordConsoleEntry } from "@/lib/audit/record-audit-event";
import { backoffDelayMs } from "./backoff";
import { webhooksMayReachPrivate } from "./private-targets";
import { sendEmail } from "./email-send";
import type { NotificationPayload } from "./payload";
import { checkRecipients } from "./recipients";
import { signingSecrets } from "./signing-secrets";
import { postWebhook, type SendOutcome } from "./webhook-send";

/*
 * The outbox's sender. Each run claims the messages that are due (pending and past their next
 * attempt, or `sending` under a lease that ran out because the worker that claimed them died)
 * with FOR UPDATE SKIP LOCKED, marks them `sending` with a lease and counts the attempt, and
 * commits at once: nothing is sent while a transaction is open (a long one would also hold the
 * arrival horizon back). The claimed messages are then sent side by side, each within its
 * channel's timeout, so a slow or failing channel never holds the others up. Each outcome is
 * written only if the message is still this claim's (same attempt count, still `sending`).
 *
 * Delivery is at least once: a worker that dies after sending and before writing the outcome
 * leaves the message `sending`, and another worker sends it again after the lease; the receiver
 * tells the two apart by X-Audit-Delivery, which is the same.
 *
 * Retries: attempt k (1..MAX_ATTEMPTS) that fails is followed by attempt k+1 after
 * RETRY_BASE_MS * 4^(k-1), capped at RETRY_MAX_MS, with "equal jitter" (a random half of that
 * added to the other half): about 30 s, 2 min, 8 min, 32 min, 2 h, then the message is failed,
 * about 2 h 45 min after the first attempt. A failure that trying again cannot mend (SMTP not
 * configured, a refused URL, a secret that no longer decrypts, no recipient with audit.view)
 * fails at once. A message that finally fails is written to the audit log (category audit).
 */

export const MAX_ATTEMPTS = 6;
export const RETRY_BASE_MS = 30_000;
export const RETRY_MAX_MS = 2 * 60 * 60_000;
export const SEND_TIMEOUT_MS = 10_000;
// Longer than any send (the timeout plus the outcome's write), so a live worker's claim never lapses.
export const LEASE_MS = 60_000;

/** The pause after failed attempt `attempt` (1-based), with jitter from `random` in [0, 1). */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  return backoffDelayMs(attempt, { baseMs: RETRY_BASE_MS, factor: 4, maxMs: RETRY_MAX_MS }, random);
}

export interface SenderOptions {
  batchSize?: number;
  timeoutMs?: number;
  leaseMs?: number;
  maxAttempts?: number;
  /** The pause after a failed attempt; tests pass a short one. */
  retryDelay?: (attempt: number) => number;
  /** Webhooks may reach private addresses (defaults to WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate?: boolean;
}

interface Claimed {
  id: string;
  orgId: string;
  ruleId: string | null;
  channelId: string;
  kind: string;
  payload: NotificationPayload;
  attempts: number;
}

async function claimDue(batchSize: number, leaseMs: number): Promise<Claimed[]> {
  const d = notificationDeliveries;
  const rows = await queryRows<{
    id: string;
    org_id: string;
    rule_id: string | null;
    channel_id: string;
    kind: string;
    payload: unknown;
    attempts: number;
  }>(
    getDb(),
    sql`update ${d} set status = 'sending', attempts = ${d.attempts} + 1,
          lease_until = now() + ${`${leaseMs} milliseconds`}::interval
        where ${d.id} in (
          select ${d.id} from ${d}
          where (${d.status} = 'pending' and ${d.nextAttemptAt} <= now())
             or (${d.status} = 'sending' and ${d.leaseUntil} < now())
          order by ${d.nextAttemptAt}
          limit ${batchSize}
          for update skip locked
        )
        returning ${d.id} as id, ${d.orgId} as org_id, ${d.ruleId} as rule_id, ${d.channelId} as channel_id,
                  ${d.kind} as kind, ${d.payload} as payload, ${d.attempts} as attempts`,
  );
  return rows.map((r) => ({
    id: r.id,
    orgId: r.org_id,
    ruleId: r.rule_id,
    channelId: r.channel_id,
    kind: r.kind,
    payload: (typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload) as NotificationPayload,
    attempts: Number(r.attempts),
  }));
}

interface ChannelForSend {
  kind: NotificationChannelKind;
  name: string;
  url: string | null;
  secretCiphertext: string | null;
  previousSecretCiphertext: string | null;
  previousSecretUntil: Date | null;
  recipientUserIds: string[];
}

const channelKey = (orgId: string, channelId: string) => `${orgId}:${channelId}`;

/**
 * The channels of a claimed batch, in one statement: under a stream of matches a batch of 50
 * messages is mostly for one or two channels, and one select per message was as many statements
 * as messages beside the pages being served.
 */
async function channelsOf(claimed: readonly Claimed[]): Promise<Map<string, ChannelForSend>> {
  if (claimed.length === 0) return new Map();
  const c = notificationChannels;
  const pairs = [...new Map(claimed.map((d) => [channelKey(d.orgId, d.channelId), d])).values()];
  const rows = await getDb()
    .select({
      orgId: c.orgId,
      id: c.id,
      kind: c.kind,
      name: c.name,
      url: c.url,
      secretCiphertext: c.secretCiphertext,
      previousSecretCiphertext: c.previousSecretCiphertext,
      previousSecretUntil: c.previousSecretUntil,
      recipientUserIds: c.recipientUserIds,
    })
    .from(c)
    // Each message's channel must be its own organization's, whatever a bad row says.
    .where(or(...pairs.map((d) => and(eq(c.orgId, d.orgId), eq(c.id, d.channelId)))));
  return new Map(rows.map(({ orgId, id, ...channel }) => [channelKey(orgId, id), channel]));
}

async function sendOne(
  delivery: Claimed,
  channel: ChannelForSend,
  options: Required<SenderOptions>,
): Promise<SendOutcome> {
  if (channel.kind === "webhook") {
    if (!channel.url || !channel.secretCiphertext) {
      return { ok: false, error: "the webhook has no URL or secret", permanent: true };
    }
    const secrets = signingSecrets({
      secretCiphertext: channel.secretCiphertext,
      previousSecretCiphertext: channel.previousSecretCiphertext,
      previousSecretUntil: channel.previousSecretUntil,
    });
    if (secrets === null) {
      return {
        ok: false,
        error: "the webhook's secret cannot be read (was AUTH_SECRET changed?); set a new secret",
        permanent: true,
      };
    }
    return postWebhook({
      url: channel.url,
      secrets,
      deliveryId: delivery.id,
      body: JSON.stringify(delivery.payload),
      timeoutMs: options.timeoutMs,
      allowPrivate: options.allowPrivate,
    });
  }
  const { allowed, skipped } = await checkRecipients(delivery.orgId, channel.recipientUserIds);
  const detail = skipped.length
    ? `skipped ${skipped.length} recipient${skipped.length === 1 ? "" : "s"} without audit.view: ${skipped.join(", ")}`
    : undefined;
  if (allowed.length === 0) {
    return { ok: false, error: "no recipient holds audit.view in the organization", permanent: true, detail };
  }
  const outcome = await sendEmail(
    delivery.payload,
    allowed.map((r) => r.email),
    delivery.id,
    options.timeoutMs,
  );
  const sentTo = `sent to ${allowed.length} recipient${allowed.length === 1 ? "" : "s"}`;
  return { ...outcome, detail: outcome.ok ? [sentTo, detail].filter(Boolean).join("; ") : detail };
}

// A message about a message that failed, failing in turn, is not written again: two channels
// failing for good would otherwise feed each other entries for as long as they fail.
function isAboutFailedDelivery(payload: NotificationPayload): boolean {
  return payload.entries.length > 0 && payload.entries.every((e) => e.action === FAILED_ACTION);
}

export const FAILED_ACTION = "notification_delivery_failed";

async function settle(
  delivery: Claimed,
  outcome: SendOutcome,
  channelName: string | null,
  options: Required<SenderOptions>,
): Promise<void> {
  const d = notificationDeliveries;
  const mine = and(eq(d.id, delivery.id), eq(d.status, "sending"), eq(d.attempts, delivery.attempts));
  if (outcome.ok) {
    await getDb()
      .update(d)
      .set({
        status: "delivered",
        deliveredAt: new Date(),
        leaseUntil: null,
        lastError: null,
        detail: outcome.detail ?? null,
      })
      .where(mine);
    return;
  }
  const final = outcome.permanent === true || delivery.attempts >= options.maxAttempts;
  if (!final) {
    await getDb()
      .update(d)
      .set({
        status: "pending",
        leaseUntil: null,
        lastError: outcome.error,
        detail: outcome.detail ?? null,
        nextAttemptAt: new Date(Date.now() + options.retryDelay(delivery.attempts)),
      })
      .where(mine);
    return;
  }
  await getDb().transaction(async (tx) => {
    const updated = await tx
      .update(d)
      .set({ status: "failed", leaseUntil: null, lastError: outcome.error, detail: outcome.detail ?? null })
      .where(mine)
      .returning({ id: d.id });
    if (updated.length === 0 || isAboutFailedDelivery(delivery.payload)) return;
    const [rule] = delivery.ruleId
      ? await tx
          .select({ name: notificationRules.name })
          .from(notificationRules)
          .where(and(eq(notificationRules.orgId, delivery.orgId), eq(notificationRules.id, delivery.ruleId)))
      : [];
    const ruleName = delivery.kind === "test" ? "Test message" : (rule?.name ?? delivery.payload.rule.name);
    await recordConsoleEntry(tx, delivery.orgId, null, NO_REQUEST, {
      category: "audit",
      action: FAILED_ACTION,
      description: `notification "${ruleName}" to ${channelName ?? "a deleted channel"} failed after ${delivery.attempts} attempt${delivery.attempts === 1 ? "" : "s"}: ${outcome.error}`,
      service: "Notifications",
      target: { type: "notification_delivery", id: delivery.id, name: channelName ?? delivery.channelId },
      result: "failed",
      level: "notice",
      params: {
        deliveryId: delivery.id,
        ruleId: delivery.ruleId,
        ruleName,
        channelId: delivery.channelId,
        channelName,
        kind: delivery.kind,
        attempts: delivery.attempts,
      },
      error: { code: "delivery_failed", message: outcome.error },
    });
  });
}

async function deliver(
  delivery: Claimed,
  channel: ChannelForSend | null,
  options: Required<SenderOptions>,
): Promise<void> {
  let outcome: SendOutcome;
  if (!channel) outcome = { ok: false, error: "the channel no longer exists", permanent: true };
  else {
    try {
      outcome = await sendOne(delivery, channel, options);
    } catch (error) {
      // A bug or a database hiccup while preparing: counted as a failed attempt, retried.
      outcome = {
        ok: false,
        error: `could not prepare the message (${error instanceof Error ? error.name : "error"})`,
      };
    }
  }
  await settle(delivery, outcome, channel?.name ?? null, options);
}

function resolveOptions(options: SenderOptions): Required<SenderOptions> {
  return {
    batchSize: options.batchSize ?? 50,
    timeoutMs: options.timeoutMs ?? SEND_TIMEOUT_MS,
    leaseMs: options.leaseMs ?? LEASE_MS,
    maxAttempts: options.maxAttempts ?? MAX_ATTEMPTS,
    retryDelay: options.retryDelay ?? ((attempt) => retryDelayMs(attempt)),
    allowPrivate: options.allowPrivate ?? webhooksMayReachPrivate(),
  };
}

/**
 * Claims the due messages and starts sending them, side by side: one promise per message, which
 * settles when its outcome is written (and rejects only when that write failed: the message
 * stays `sending` and its lease hands it on).
 */
export async function startDueDeliveries(options: SenderOptions = {}): Promise<Promise<void>[]> {
  const resolved = resolveOptions(options);
  const claimed = await claimDue(resolved.batchSize, resolved.leaseMs);
  const channels = await channelsOf(claimed);
  return claimed.map((delivery) =>
    deliver(delivery, channels.get(channelKey(delivery.orgId, delivery.channelId)) ?? null, resolved),
  );
}

/** Claims and sends the due messages once and waits for every outcome; answers how many were handled. */
export async function sendDueDeliveries(options: SenderOptions = {}): Promise<number> {
  const sends = await startDueDeliveries(options);
  // One message's trouble is its own: the others still settle before this answers.
  const results = await Promise.allSettled(sends);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) throw failure.reason instanceof Error ? failure.reason : new Error(String(failure.reason));
  return sends.length;
}
