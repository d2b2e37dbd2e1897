import "server-only";

import { randomUUID } from "node:crypto";
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { getDb, queryRows, type Executor } from "@/db/client";
import { auditLogs, consumerCursors, streamDestinations } from "@/db/schema";
import type { StreamFormat } from "@/db/schema/enums";
import { committedHorizon } from "@/lib/audit-log/horizon";
import { isoTime } from "@/lib/audit-log/rows";
import { NO_REQUEST } from "@/lib/audit/console-entry";
import { recordConsoleEntry } from "@/lib/audit/record-audit-event";
import { entryJsonText } from "@/lib/exports/entry-json";
import { backoffDelayMs, type Backoff } from "@/lib/notifications/backoff";
import { messageOrigin } from "@/lib/notifications/links";
import { signingSecrets, type StoredSecrets } from "@/lib/notifications/signing-secrets";
import { webhooksMayReachPrivate } from "@/lib/notifications/private-targets";
import { postToReceiver, type SendOutcome } from "@/lib/notifications/webhook-send";
import { streamBody, streamHeaders, testEntry, type StreamEntryText } from "./stream-body";
import { streamSearchWhere } from "./stream-search";

/*
 * The stream sender: the notification machinery's pieces (the arrival cursor and its committed
 * horizon, the receiver POST with its URL guard, the backoff with jitter, the worker runner),
 * arranged for a destination that must get every matching entry in order of arrival.
 *
 * A run claims the destinations that are due (active, past their backoff, not leased) with FOR
 * UPDATE SKIP LOCKED and gives each a lease token in the same statement, then commits: no
 * transaction stays open while a receiver is waited for (it would hold the committed horizon, and
 * so every consumer, back). Only the holder of the lease sends, so several console and worker
 * processes never send one destination at once.
 *
 * Per destination: the batch is the entries after its cursor (consumer_cursors "stream:<id>"),
 * received before the committed horizon, matching its search, in order of arrival, at most
 * `batchSize` of them; it is sent when full, or once its oldest entry is `maxWaitSeconds` old.
 * Before the first attempt its id and last entry are pinned on the destination row, so a retry
 * (after a failure, a crash or a lost lease) re-reads exactly the same entries and sends them
 * under the same X-Audit-Delivery id. The cursor moves past the batch only after a 2xx answer.
 * Delivery is thus at least once, with duplicates only across a retry of one batch.
 *
 * A failed attempt counts a consecutive failure and waits a backoff; after maxFailures in a row
 * (or a failure trying again cannot mend: a refused URL, a secret that no longer decrypts) the
 * destination pauses itself with the last error, and writes that to the audit log. Entries keep
 * arriving meanwhile; on resume the pinned batch is retried and the cursor catches up.
 */

export const STREAM_MAX_FAILURES = 8;
/** 5 s, 10 s, 20 s … capped at 5 min: about 10 minutes of failures before a pause. */
export const STREAM_BACKOFF: Backoff = { baseMs: 5_000, factor: 2, maxMs: 5 * 60_000 };
export const STREAM_TIMEOUT_MS = 10_000;
// Longer than any send (the timeout plus the reads and writes around it).
export const STREAM_LEASE_MS = 60_000;
/** How many entries a filtered destination looks through for one batch. */
export const STREAM_SCAN_LIMIT = 10_000;
/** A destination with nothing (yet) to send is looked at again after this. */
export const STREAM_POLL_MS = 500;
export const STREAM_SERVICE = "Streams";
export const STREAM_PAUSED_ACTION = "pause_stream_destination";

const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

export function streamCursorName(destinationId: string): string {
  return `stream:${destinationId}`;
}

export interface StreamSenderOptions {
  /** Destinations one run claims. */
  claimSize?: number;
  timeoutMs?: number;
  leaseMs?: number;
  maxFailures?: number;
  /** The pause after `failures` consecutive failures; tests pass a short one. */
  retryDelay?: (failures: number) => number;
  allowPrivate?: boolean;
  /** Kept back from the committed horizon (see committedHorizon). */
  marginMs?: number;
  scanLimit?: number;
  /** How soon a destination with nothing to send yet is looked at again. */
  pollMs?: number;
}

type Resolved = Required<StreamSenderOptions>;

function resolveOptions(options: StreamSenderOptions): Resolved {
  return {
    claimSize: options.claimSize ?? 50,
    timeoutMs: options.timeoutMs ?? STREAM_TIMEOUT_MS,
    leaseMs: options.leaseMs ?? STREAM_LEASE_MS,
    maxFailures: options.maxFailures ?? STREAM_MAX_FAILURES,
    retryDelay: options.retryDelay ?? ((failures) => backoffDelayMs(failures, STREAM_BACKOFF)),
    allowPrivate: options.allowPrivate ?? webhooksMayReachPrivate(),
    marginMs: options.marginMs ?? 1000,
    scanLimit: options.scanLimit ?? STREAM_SCAN_LIMIT,
    pollMs: options.pollMs ?? STREAM_POLL_MS,
  };
}

interface Position {
  receivedAt: Date;
  entryId: string;
}

interface Claimed {
  orgId: string;
  id: string;
  orgSlug: string;
  name: string;
  format: StreamFormat;
  url: string;
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretUntil: Date | null;
  query: string;
  batchSize: number;
  maxWaitSeconds: number;
  consecutiveFailures: number;
  batch: ({ id: string } & Position) | null;
  leaseToken: string;
}

const asDate = (value: string | Date) => (value instanceof Date ? value : new Date(value));

async function claimDue(options: Resolved): Promise<Claimed[]> {
  const token = randomUUID();
  const d = streamDestinations;
  const rows = await queryRows<{
    org_id: string;
    id: string;
    slug: string;
    name: string;
    format: StreamFormat;
    url: string;
    secret_ciphertext: string;
    previous_secret_ciphertext: string | null;
    previous_secret_until: string | Date | null;
    query: string;
    batch_size: number;
    max_wait_seconds: number;
    consecutive_failures: number;
    batch_id: string | null;
    batch_last_received_at: string | Date | null;
    batch_last_entry_id: string | null;
  }>(
    getDb(),
    sql`update ${d} set lease_token = ${token}::uuid,
          lease_until = now() + ${`${options.leaseMs} milliseconds`}::interval
        from organizations o
        where o.id = ${d.orgId} and (${d.orgId}, ${d.id}) in (
          select org_id, id from stream_destinations
          where state = 'active' and next_attempt_at <= now() and (lease_until is null or lease_until < now())
          order by next_attempt_at
          limit ${options.claimSize}
          for update skip locked
        )
        returning ${d.orgId} as org_id, ${d.id} as id, o.slug as slug, ${d.name} as name, ${d.format} as format,
          ${d.url} as url, ${d.secretCiphertext} as secret_ciphertext,
          ${d.previousSecretCiphertext} as previous_secret_ciphertext,
          ${d.previousSecretUntil} as previous_secret_until, ${d.query} as query,
          ${d.batchSize} as batch_size, ${d.maxWaitSeconds} as max_wait_seconds,
          ${d.consecutiveFailures} as consecutive_failures, ${d.batchId} as batch_id,
          ${d.batchLastReceivedAt} as batch_last_received_at, ${d.batchLastEntryId} as batch_last_entry_id`,
  );
  return rows.map((r) => ({
    orgId: r.org_id,
    id: r.id,
    orgSlug: r.slug,
    name: r.name,
    format: r.format,
    url: r.url,
    secretCiphertext: r.secret_ciphertext,
    previousSecretCiphertext: r.previous_secret_ciphertext,
    previousSecretUntil: r.previous_secret_until === null ? null : asDate(r.previous_secret_until),
    query: r.query,
    batchSize: Number(r.batch_size),
    maxWaitSeconds: Number(r.max_wait_seconds),
    consecutiveFailures: Number(r.consecutive_failures),
    batch:
      r.batch_id && r.batch_last_received_at && r.batch_last_entry_id
        ? { id: r.batch_id, receivedAt: asDate(r.batch_last_received_at), entryId: r.batch_last_entry_id }
        : null,
    leaseToken: token,
  }));
}

/** The lease is still this run's: every write of a run is guarded by it. */
function mine(dest: Claimed): SQL {
  const d = streamDestinations;
  return and(eq(d.orgId, dest.orgId), eq(d.id, dest.id), eq(d.leaseToken, dest.leaseToken))!;
}

/** A destination's cursor; created at the horizon when missing (a destination made by hand). */
export async function streamCursor(orgId: string, destinationId: string, db: Executor = getDb()): Promise<Position> {
  const c = consumerCursors;
  const name = streamCursorName(destinationId);
  const read = () =>
    db
      .select({ receivedAt: c.receivedAt, entryId: c.entryId })
      .from(c)
      .where(and(eq(c.orgId, orgId), eq(c.consumer, name)))
      .limit(1);
  const [found] = await read();
  if (found) return found;
  await startStreamCursor(db, orgId, destinationId);
  const [created] = await read();
  return created!;
}

/** A new destination sends the entries that arrive from now on. */
export async function startStreamCursor(db: Executor, orgId: string, destinationId: string): Promise<void> {
  await db
    .insert(consumerCursors)
    .values({ orgId, consumer: streamCursorName(destinationId), receivedAt: sql`now()`, entryId: ZERO_UUID })
    .onConflictDoNothing();
}

function after(position: Position): SQL {
  const t = auditLogs;
  return sql`(${t.receivedAt}, ${t.id}) > (${isoTime(position.receivedAt)}::timestamptz, ${position.entryId}::uuid)`;
}

function through(position: Position): SQL {
  const t = auditLogs;
  return sql`(${t.receivedAt}, ${t.id}) <= (${isoTime(position.receivedAt)}::timestamptz, ${position.entryId}::uuid)`;
}

function beforeHorizon(horizon: Date): SQL {
  return sql`${auditLogs.receivedAt} < ${horizon.toISOString()}::timestamptz`;
}

/** The `limit`-th entry after the cursor (any entry, matching or not), if there are that many. */
async function scanBound(orgId: string, from: Position, upper: SQL, limit: number): Promise<Position | null> {
  const t = auditLogs;
  const [row] = await getDb()
    .select({ receivedAt: t.receivedAt, entryId: t.id })
    .from(t)
    .where(and(eq(t.orgId, orgId), after(from), upper))
    .orderBy(asc(t.receivedAt), asc(t.id))
    .offset(limit - 1)
    .limit(1);
  return row ? { receivedAt: row.receivedAt, entryId: row.entryId } : null;
}

interface BatchEntry extends StreamEntryText, Position {
  /** Older than the destination's max wait. */
  due: boolean;
}

export function permalinkPrefix(orgSlug: string): string {
  return `${messageOrigin()}/orgs/${encodeURIComponent(orgSlug)}/audit-logs/`;
}

/** The most a batch holds whatever its destination's size (the schema's bound). */
const MAX_BATCH = 1000;

async function readEntries(dest: Claimed, from: Position, upper: SQL, limit = dest.batchSize): Promise<BatchEntry[]> {
  const t = auditLogs;
  const rows = await getDb()
    .select({
      json: entryJsonText(t, permalinkPrefix(dest.orgSlug)),
      occurredAt: t.occurredAt,
      receivedAt: t.receivedAt,
      entryId: t.id,
      due: sql<boolean>`${t.receivedAt} <= clock_timestamp() - ${`${dest.maxWaitSeconds} seconds`}::interval`,
    })
    .from(t)
    .where(and(eq(t.orgId, dest.orgId), after(from), upper, streamSearchWhere(t, dest.query)))
    .orderBy(asc(t.receivedAt), asc(t.id))
    .limit(limit);
  return rows.map((r) => ({
    json: r.json,
    occurredAtMs: r.occurredAt.getTime(),
    receivedAt: r.receivedAt,
    entryId: r.entryId,
    due: r.due === true || String(r.due) === "t" || String(r.due) === "true",
  }));
}

async function release(dest: Claimed, set: PgUpdateSetSource<typeof streamDestinations> = {}): Promise<void> {
  await getDb()
    .update(streamDestinations)
    .set({ leaseToken: null, leaseUntil: null, ...set })
    .where(mine(dest));
}

function releaseUntilNextPoll(dest: Claimed, options: Resolved): Promise<void> {
  return release(dest, { nextAttemptAt: sql`now() + ${`${options.pollMs} milliseconds`}::interval` });
}

/** Moves the cursor past entries that need no sending (none of them matched). */
async function skipTo(dest: Claimed, position: Position): Promise<void> {
  await getDb().transaction(async (tx) => {
    const held = await tx
      .update(streamDestinations)
      .set({ leaseToken: null, leaseUntil: null })
      .where(mine(dest))
      .returning({ id: streamDestinations.id });
    if (held.length === 0) return;
    await moveCursor(tx, dest, position);
  });
}

async function moveCursor(tx: Executor, dest: Claimed, position: Position): Promise<void> {
  const c = consumerCursors;
  await tx
    .update(c)
    .set({ receivedAt: position.receivedAt, entryId: position.entryId, updatedAt: new Date() })
    .where(and(eq(c.orgId, dest.orgId), eq(c.consumer, streamCursorName(dest.id))));
}

/** NDJSON: the signing secrets, current first (two during a rotation's grace); HEC: the token. */
function readSecrets(dest: StoredSecrets & { format: StreamFormat }): string[] | SendOutcome {
  const secrets = signingSecrets(dest.format === "ndjson" ? dest : { ...dest, previousSecretCiphertext: null });
  if (secrets !== null) return secrets;
  return {
    ok: false,
    error: "the stream's secret cannot be read (was AUTH_SECRET changed?); set a new one",
    permanent: true,
  };
}

export async function postStreamBatch(
  format: StreamFormat,
  url: string,
  secrets: string | readonly string[],
  deliveryId: string,
  entries: readonly StreamEntryText[],
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<SendOutcome> {
  const body = streamBody(format, entries);
  return postToReceiver({
    url,
    body,
    headers: streamHeaders(format, secrets, deliveryId, body),
    timeoutMs: options.timeoutMs,
    allowPrivate: options.allowPrivate,
  });
}

async function delivered(dest: Claimed, last: Position, count: number): Promise<void> {
  await getDb().transaction(async (tx) => {
    const d = streamDestinations;
    const held = await tx
      .update(d)
      .set({
        leaseToken: null,
        leaseUntil: null,
        batchId: null,
        batchLastReceivedAt: null,
        batchLastEntryId: null,
        consecutiveFailures: 0,
        nextAttemptAt: new Date(),
        sentEntries: sql`${d.sentEntries} + ${count}`,
        lastDeliveredAt: new Date(),
      })
      .where(mine(dest))
      .returning({ id: d.id });
    // A lease that ran out is another worker's now: it sends this batch again, same id.
    if (held.length === 0) return;
    await moveCursor(tx, dest, last);
  });
}

async function failed(dest: Claimed, outcome: Extract<SendOutcome, { ok: false }>, options: Resolved): Promise<void> {
  const failures = dest.consecutiveFailures + 1;
  const pause = outcome.permanent === true || failures >= options.maxFailures;
  const now = new Date();
  if (!pause) {
    await release(dest, {
      consecutiveFailures: failures,
      lastError: outcome.error,
      lastErrorAt: now,
      nextAttemptAt: new Date(now.getTime() + options.retryDelay(failures)),
    });
    return;
  }
  await getDb().transaction(async (tx) => {
    const held = await tx
      .update(streamDestinations)
      .set({
        leaseToken: null,
        leaseUntil: null,
        state: "paused",
        pausedAt: now,
        consecutiveFailures: failures,
        lastError: outcome.error,
        lastErrorAt: now,
        updatedAt: now,
      })
      .where(mine(dest))
      .returning({ id: streamDestinations.id });
    if (held.length === 0) return;
    const times = `${failures} failed attempt${failures === 1 ? "" : "s"} in a row`;
    await recordConsoleEntry(tx, dest.orgId, null, NO_REQUEST, {
      category: "audit",
      action: STREAM_PAUSED_ACTION,
      description: `Stream "${dest.name}" paused itself after ${times}: ${outcome.error}`,
      service: STREAM_SERVICE,
      target: { type: "stream_destination", id: dest.id, name: dest.name },
      result: "failed",
      level: "notice",
      before: { state: "active" },
      after: { state: "paused" },
      params: { batchId: dest.batch?.id ?? null, consecutiveFailures: failures },
      error: { code: "stream_delivery_failed", message: outcome.error },
    });
  });
}

/**
 * One destination's turn: pick (or re-read) its batch, send it, write the outcome. Answers how
 * many entries it moved past (sent or skipped), so a run with a backlog comes back at once.
 */
async function serve(dest: Claimed, horizon: Date, options: Resolved): Promise<number> {
  const from = await streamCursor(dest.orgId, dest.id);
  let batchId: string;
  let entries: BatchEntry[];
  let last: Position;
  if (dest.batch) {
    // A retry: the same range, so the same entries (fewer only if retention removed some), also
    // when the batch size was lowered since.
    batchId = dest.batch.id;
    entries = await readEntries(dest, from, through(dest.batch), MAX_BATCH);
    last = dest.batch;
    if (entries.length === 0) {
      await delivered(dest, last, 0);
      return 1;
    }
  } else {
    const filtered = streamSearchWhere(auditLogs, dest.query) !== undefined;
    // A sparse search over a long backlog looks through a bounded run of entries per batch.
    const bound = filtered ? await scanBound(dest.orgId, from, beforeHorizon(horizon), options.scanLimit) : null;
    entries = await readEntries(dest, from, bound ? through(bound) : beforeHorizon(horizon));
    if (entries.length === 0) {
      if (bound) {
        await skipTo(dest, bound);
        return 1;
      }
      await releaseUntilNextPoll(dest, options);
      return 0;
    }
    const full = entries.length >= dest.batchSize;
    if (!full && !entries[0]!.due && !bound) {
      // Not full and not old enough: the entries wait for the next look.
      await releaseUntilNextPoll(dest, options);
      return 0;
    }
    batchId = randomUUID();
    last = entries[entries.length - 1]!;
    const pinned = await getDb()
      .update(streamDestinations)
      .set({ batchId, batchLastReceivedAt: last.receivedAt, batchLastEntryId: last.entryId })
      .where(mine(dest))
      .returning({ id: streamDestinations.id });
    if (pinned.length === 0) return 0;
  }
  const secrets = readSecrets(dest);
  const outcome = Array.isArray(secrets)
    ? await postStreamBatch(dest.format, dest.url, secrets, batchId, entries, options)
    : secrets;
  if (outcome.ok) {
    await delivered(dest, last, entries.length);
    return entries.length;
  }
  await failed(dest, outcome, options);
  return 0;
}

/**
 * Claims the due destinations and starts serving them, side by side: one promise per
 * destination, settling when its outcome is written.
 */
export async function startDueStreams(options: StreamSenderOptions = {}): Promise<Promise<void>[]> {
  const resolved = resolveOptions(options);
  const claimed = await claimDue(resolved);
  if (claimed.length === 0) return [];
  // No look-back limit: a long transaction holds streams back rather than being passed over.
  const horizon = await committedHorizon(getDb(), { lookBackMs: null, marginMs: resolved.marginMs });
  return claimed.map(async (dest) => {
    try {
      await serve(dest, horizon, resolved);
    } catch (error) {
      // The lease hands the destination on when it runs out; released now so that is at once.
      await release(dest).catch(() => {});
      throw error;
    }
  });
}

/** Serves every due destination once and waits for the outcomes; answers how many entries moved. */
export async function sendDueStreams(options: StreamSenderOptions = {}): Promise<number> {
  const resolved = resolveOptions(options);
  const claimed = await claimDue(resolved);
  if (claimed.length === 0) return 0;
  const horizon = await committedHorizon(getDb(), { lookBackMs: null, marginMs: resolved.marginMs });
  const results = await Promise.allSettled(claimed.map((dest) => serve(dest, horizon, resolved)));
  let moved = 0;
  for (const [i, result] of results.entries()) {
    if (result.status === "fulfilled") moved += result.value;
    else {
      await release(claimed[i]!).catch(() => {});
      throw result.reason instanceof Error ? result.reason : new Error(String(result.reason));
    }
  }
  return moved;
}

/**
 * "Send test": one line marked as a test, sent now in the destination's format with its secret,
 * under a delivery id of its own; the cursor does not move. Null when the destination does not
 * exist in the organization.
 */
export async function sendStreamTest(
  orgId: string,
  orgSlug: string,
  destinationId: string,
  options: StreamSenderOptions = {},
): Promise<{ deliveryId: string; outcome: SendOutcome } | null> {
  const resolved = resolveOptions(options);
  const d = streamDestinations;
  const [dest] = await getDb()
    .select({
      name: d.name,
      format: d.format,
      url: d.url,
      secretCiphertext: d.secretCiphertext,
      previousSecretCiphertext: d.previousSecretCiphertext,
      previousSecretUntil: d.previousSecretUntil,
    })
    .from(d)
    .where(and(eq(d.orgId, orgId), eq(d.id, destinationId)))
    .limit(1);
  if (!dest) return null;
  const deliveryId = randomUUID();
  const secrets = readSecrets(dest);
  const outcome = Array.isArray(secrets)
    ? await postStreamBatch(
        dest.format,
        dest.url,
        secrets,
        deliveryId,
        [testEntry(orgSlug, dest.name, new Date())],
        resolved,
      )
    : secrets;
  return { deliveryId, outcome };
}
