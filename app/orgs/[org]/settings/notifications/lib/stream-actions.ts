"use server";

import { and, count, eq, sql } from "drizzle-orm";
import type { Transaction } from "@/db/client";
import { consumerCursors, streamDestinations } from "@/db/schema";
import { refuse } from "@/lib/actions/action-refusal";
import { orgAction } from "@/lib/actions/org-action";
import type { ConsoleEntry } from "@/lib/audit/console-entry";
import { SECRET_ROTATION_GRACE_HOURS } from "@/lib/notifications/secret-rotation";
import { newSigningSecret, rotatedSecretColumns } from "@/lib/notifications/signing-secrets";
import { checkWebhookUrl } from "@/lib/notifications/webhook-url";
import { sealSecret } from "@/lib/security/secret-box";
import { sendStreamTest, startStreamCursor, streamCursorName, STREAM_SERVICE } from "@/lib/streams/stream-sender";
import { conditionProblems } from "./condition";
import { NOTIFICATION_MESSAGES } from "./messages";
import { idSchema } from "./schemas";
import { lockOrgRow, MANAGE, settingsEntry, urlForLog } from "./settings-entry";
import {
  MAX_STREAMS,
  streamSchema,
  streamStateSchema,
  updateStreamSchema,
  type StreamInput,
  type UpdateStreamInput,
} from "./stream-schemas";
import type { StreamSecretAnswer } from "./types";

/*
 * Stream destinations of one organization, for people holding audit.manage, through orgAction
 * like the rules and channels beside them: scoped to the caller's organization (another
 * organization's destination answers like a missing one), each change written to the audit log
 * with before and after in the transaction that makes it. The NDJSON signing secret appears in
 * the answers of its creation and rotation only; a Splunk token is never answered; neither is ever in an entry.
 */

const STREAM_NOT_FOUND = NOTIFICATION_MESSAGES.streamNotFound;

type StreamRow = typeof streamDestinations.$inferSelect;

type StreamSnapshot = {
  name: string;
  format: string;
  url: string;
  query: string;
  batchSize: number;
  maxWaitSeconds: number;
  state: string;
  /** Only ever the words "previous token" or "new token". */
  token?: string;
  /** Only ever the words "previous secret" or "new secret": a rotation's before and after. */
  secret?: string;
};

function snapshot(row: StreamRow): StreamSnapshot {
  return {
    name: row.name,
    format: row.format,
    url: urlForLog(row.url),
    query: row.query,
    batchSize: row.batchSize,
    maxWaitSeconds: row.maxWaitSeconds,
    state: row.state,
  };
}

function streamEntry(
  action: string,
  description: string,
  stream: { id: string; name: string },
  before: StreamSnapshot | null,
  after: StreamSnapshot | null,
  params?: Record<string, unknown>,
): ConsoleEntry {
  return settingsEntry({
    service: STREAM_SERVICE,
    targetType: "stream_destination",
    action,
    description,
    target: stream,
    before,
    after,
    params,
  });
}

function lockStream(tx: Transaction, orgId: string, id: string): Promise<StreamRow> {
  return lockOrgRow(tx, streamDestinations, orgId, id, STREAM_NOT_FOUND);
}

/** The URL guard and the explorer's refusals of the search text, before anything is stored. */
async function checkInput(input: Pick<StreamInput, "url" | "query">): Promise<void> {
  const problems = conditionProblems(input.query);
  if (problems.length > 0) refuse(problems.join(" "), { query: problems.join(" ") });
  const checked = await checkWebhookUrl(input.url);
  if (!checked.ok) refuse(checked.message, { url: checked.message });
}

/**
 * Creates a destination that sends the entries arriving from now on. NDJSON gets a fresh signing
 * secret, answered this once; Splunk HEC keeps the token given.
 */
export const createStreamAction = orgAction(
  { name: "createStreamAction", schema: streamSchema, ...MANAGE },
  async (input, ctx): Promise<{ id: string; secret: StreamSecretAnswer | null }> => {
    await checkInput(input);
    return ctx.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('stream_destinations'), hashtext(${ctx.org.id}))`);
      const [room] = await tx
        .select({ n: count() })
        .from(streamDestinations)
        .where(eq(streamDestinations.orgId, ctx.org.id));
      if ((room?.n ?? 0) >= MAX_STREAMS)
        refuse(`An organization has at most ${MAX_STREAMS} streams. Delete one first.`);
      const secret = input.format === "ndjson" ? newSigningSecret() : input.token;
      const [row] = await tx
        .insert(streamDestinations)
        .values({
          orgId: ctx.org.id,
          name: input.name,
          format: input.format,
          url: input.url,
          secretCiphertext: sealSecret(secret),
          query: input.query.trim(),
          batchSize: input.batchSize,
          maxWaitSeconds: input.maxWaitSeconds,
          createdBy: ctx.user.id,
        })
        .returning();
      await startStreamCursor(tx, ctx.org.id, row!.id);
      await ctx.record(
        streamEntry(
          "create_stream_destination",
          `Stream "${row!.name}" (${row!.format === "ndjson" ? "NDJSON" : "Splunk HEC"}) created`,
          row!,
          null,
          snapshot(row!),
        ),
        tx,
      );
      return {
        id: row!.id,
        secret: input.format === "ndjson" ? { streamId: row!.id, name: row!.name, secret } : null,
      };
    });
  },
);

/**
 * Changes name, URL, search, batch size, wait, and (Splunk HEC) the token. A new search applies
 * from the next batch: the batch in flight, if any, is picked again under the new search.
 */
export const updateStreamAction = orgAction(
  { name: "updateStreamAction", schema: updateStreamSchema, ...MANAGE },
  async (input: UpdateStreamInput, ctx) => {
    // Found before the URL is looked up, so a missing stream (or another organization's)
    // answers the same whatever URL came with it.
    const [known] = await ctx.db
      .select({ url: streamDestinations.url, format: streamDestinations.format })
      .from(streamDestinations)
      .where(and(eq(streamDestinations.orgId, ctx.org.id), eq(streamDestinations.id, input.id)));
    if (!known) refuse(STREAM_NOT_FOUND);
    const problems = conditionProblems(input.query);
    if (problems.length > 0) refuse(problems.join(" "), { query: problems.join(" ") });
    if (known.url !== input.url) await checkInput(input);
    const newToken = known.format === "splunk_hec" && input.token ? input.token : null;
    return ctx.db.transaction(async (tx) => {
      const current = await lockStream(tx, ctx.org.id, input.id);
      const query = input.query.trim();
      const [row] = await tx
        .update(streamDestinations)
        .set({
          name: input.name,
          url: input.url,
          query,
          batchSize: input.batchSize,
          maxWaitSeconds: input.maxWaitSeconds,
          ...(newToken ? { secretCiphertext: sealSecret(newToken) } : {}),
          ...(query !== current.query ? { batchId: null, batchLastReceivedAt: null, batchLastEntryId: null } : {}),
          updatedAt: new Date(),
        })
        .where(and(eq(streamDestinations.orgId, ctx.org.id), eq(streamDestinations.id, current.id)))
        .returning();
      const before = snapshot(current);
      const after = snapshot(row!);
      const changed = (Object.keys(after) as (keyof StreamSnapshot)[]).filter((k) => before[k] !== after[k]);
      if (current.url !== row!.url && !changed.includes("url")) changed.push("url");
      if (newToken) changed.push("token");
      if (changed.length === 0) return { id: current.id, changed: false };
      await ctx.record(
        streamEntry(
          "update_stream_destination",
          `Stream "${row!.name}" changed: ${changed.join(", ")}`,
          row!,
          newToken ? { ...before, token: "previous token" } : before,
          newToken ? { ...after, token: "new token" } : after,
          { changed },
        ),
        tx,
      );
      return { id: current.id, changed: true };
    });
  },
);

/**
 * Pause or resume. Resuming clears the failure count and tries at once, from the cursor: the
 * entries that arrived meanwhile are sent, the batch in flight first, under its id.
 */
export const setStreamStateAction = orgAction(
  { name: "setStreamStateAction", schema: streamStateSchema, transaction: true, ...MANAGE },
  async ({ id, state }, ctx) => {
    const tx = ctx.db;
    const current = await lockStream(tx, ctx.org.id, id);
    if (current.state === state) return { id, state };
    const now = new Date();
    const [row] = await tx
      .update(streamDestinations)
      .set(
        state === "paused"
          ? { state, pausedAt: now, updatedAt: now }
          : { state, pausedAt: null, consecutiveFailures: 0, nextAttemptAt: now, updatedAt: now },
      )
      .where(and(eq(streamDestinations.orgId, ctx.org.id), eq(streamDestinations.id, id)))
      .returning();
    await ctx.record(
      streamEntry(
        state === "paused" ? "pause_stream_destination" : "resume_stream_destination",
        `Stream "${row!.name}" ${state === "paused" ? "paused" : "resumed"}`,
        row!,
        snapshot(current),
        snapshot(row!),
      ),
    );
    return { id, state };
  },
);

/**
 * A new signing secret for an NDJSON destination, answered this once. The old one keeps signing
 * beside it for SECRET_ROTATION_GRACE_HOURS, so the receiver can switch without refusing a batch.
 * A Splunk HEC destination's token comes from Splunk and is changed in the form instead.
 */
export const rotateStreamSecretAction = orgAction(
  { name: "rotateStreamSecretAction", schema: idSchema, transaction: true, ...MANAGE },
  async ({ id }, ctx): Promise<StreamSecretAnswer> => {
    const tx = ctx.db;
    const current = await lockStream(tx, ctx.org.id, id);
    if (current.format !== "ndjson") refuse(NOTIFICATION_MESSAGES.notSignedStream);
    const now = new Date();
    const { secret, columns } = rotatedSecretColumns(current.secretCiphertext, now);
    await tx
      .update(streamDestinations)
      .set({ ...columns, updatedAt: now })
      .where(and(eq(streamDestinations.orgId, ctx.org.id), eq(streamDestinations.id, id)));
    const kept = snapshot(current);
    await ctx.record(
      streamEntry(
        "rotate_stream_secret",
        `Stream "${current.name}": signing secret replaced (the previous one signs too until ${columns.previousSecretUntil!.toISOString()})`,
        current,
        { ...kept, secret: "previous secret" },
        { ...kept, secret: "new secret" },
        { graceHours: SECRET_ROTATION_GRACE_HOURS },
      ),
    );
    return { streamId: id, name: current.name, secret };
  },
);

export const deleteStreamAction = orgAction(
  { name: "deleteStreamAction", schema: idSchema, transaction: true, ...MANAGE },
  async ({ id }, ctx) => {
    const tx = ctx.db;
    const current = await lockStream(tx, ctx.org.id, id);
    await tx
      .delete(streamDestinations)
      .where(and(eq(streamDestinations.orgId, ctx.org.id), eq(streamDestinations.id, id)));
    await tx
      .delete(consumerCursors)
      .where(and(eq(consumerCursors.orgId, ctx.org.id), eq(consumerCursors.consumer, streamCursorName(id))));
    await ctx.record(
      streamEntry("delete_stream_destination", `Stream "${current.name}" deleted`, current, snapshot(current), null),
    );
    return { id };
  },
);

/** Sends one test line now and answers what the receiver said; recorded either way. */
export const testStreamAction = orgAction(
  { name: "testStreamAction", schema: idSchema, ...MANAGE, revalidate: undefined },
  async ({ id }, ctx): Promise<{ deliveryId: string; delivered: boolean; message: string }> => {
    const sent = await sendStreamTest(ctx.org.id, ctx.org.slug, id);
    if (!sent) refuse(STREAM_NOT_FOUND);
    const [row] = await ctx.db
      .select({ name: streamDestinations.name })
      .from(streamDestinations)
      .where(and(eq(streamDestinations.orgId, ctx.org.id), eq(streamDestinations.id, id)));
    const name = row?.name ?? id;
    const { outcome, deliveryId } = sent;
    await ctx.record({
      ...streamEntry(
        "test_stream_destination",
        outcome.ok
          ? `Test message delivered to stream "${name}"`
          : `Test message to stream "${name}" failed: ${outcome.error}`,
        { id, name },
        null,
        null,
        { deliveryId },
      ),
      result: outcome.ok ? "done" : "failed",
      error: outcome.ok ? null : { code: "stream_test_failed", message: outcome.error },
    });
    return {
      deliveryId,
      delivered: outcome.ok,
      message: outcome.ok ? `Test message delivered to “${name}”.` : `The test failed: ${outcome.error}.`,
    };
  },
);
