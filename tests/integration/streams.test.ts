import { AsyncLocalStorage } from "node:async_hooks";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditLogs, consumerCursors, streamDestinations, type StreamFormat } from "@/db/schema";
import { seedDemoAccounts, type SeededDemoAccounts } from "@/db/seed/demo-accounts";
import { auditEventSchema, type AuditEventInput } from "@/lib/audit/event-schema";
import { storeAuditEvents } from "@/lib/audit/record-audit-event";
import { NO_PERMISSION_TEXT } from "@/lib/auth/messages";
import { openSecret, sealSecret } from "@/lib/security/secret-box";
import { consoleServerHeaders } from "../helpers/console-server-headers";
import {
  ok,
  startHttpReceiver,
  verifySignature as verifyReceived,
  type HttpReceiver,
  type ReceivedRequest,
} from "../helpers/notification-receivers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * Streaming end to end on a real database and a real HTTP receiver on 127.0.0.1: entries are
 * stored, the stream sender (the worker's job) reads them after each destination's cursor and
 * posts them; the settings' actions run "as" a user (only the session lookup, request headers and
 * revalidatePath are replaced).
 */

const session = new AsyncLocalStorage<string | null>();
const requestHeaders = { current: new Headers() };

vi.mock("@/lib/auth/auth", () => ({
  auth: async () => {
    const id = session.getStore();
    return id ? { user: { id }, expires: new Date(Date.now() + 3_600_000).toISOString() } : null;
  },
}));
vi.mock("next/headers", () => ({ headers: async () => requestHeaders.current }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));
vi.mock("@/lib/env", () => import("../helpers/env-override"));

const { overrideEnv } = await import("../helpers/env-override");
const { sendDueStreams, streamCursorName, startStreamCursor, STREAM_PAUSED_ACTION } =
  await import("@/lib/streams/stream-sender");
const streamActions = await import("@/app/orgs/[org]/settings/notifications/lib/stream-actions");
const { loadNotificationSettings } = await import("@/app/orgs/[org]/settings/notifications/lib/queries");
const { NOTIFICATION_MESSAGES } = await import("@/app/orgs/[org]/settings/notifications/lib/messages");

const SECRET = "whsec_stream_test_0123456789";
const FAST = { retryDelay: () => 0, timeoutMs: 2000, marginMs: 0, pollMs: 0, allowPrivate: true };

let testDb: TestDatabase;
let seeded: SeededDemoAccounts;
let hook: HttpReceiver;
const db = () => testDb.handle.db;
const acme = () => seeded.orgs.acme!;
const globex = () => seeded.orgs.globex!;
const as = <T>(email: string | null, fn: () => Promise<T>) =>
  session.run(email === null ? null : seeded.users[email]!, fn);
const admin = <T>(fn: () => Promise<T>) => as("admin@acme.test", fn);

function event(i: number, over: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    occurredAt: new Date(Date.UTC(2026, 10, 20, 9, 0, i)).toISOString(),
    actor: { id: `u_${i}`, name: `User ${i}`, email: `user${i}@acme.test` },
    category: "service",
    action: "deploy",
    description: `deploy ${i}`,
    target: { type: "service", id: `svc_${i}`, name: `svc-${i}` },
    result: "done",
    ...over,
  };
}

async function store(orgId: string, events: AuditEventInput[]): Promise<string[]> {
  const parsed = events.map((e) => auditEventSchema.parse(e));
  return (await storeAuditEvents(db(), orgId, parsed)).map((s) => s.id);
}

async function destination(
  values: { format?: StreamFormat; secret?: string; query?: string; batchSize?: number; maxWaitSeconds?: number } = {},
): Promise<string> {
  const { secret = SECRET, ...rest } = values;
  const [row] = await db()
    .insert(streamDestinations)
    .values({
      orgId: acme(),
      name: "SIEM",
      format: "ndjson",
      url: hook.url,
      secretCiphertext: sealSecret(secret),
      ...rest,
    })
    .returning({ id: streamDestinations.id });
  await startStreamCursor(db(), acme(), row!.id);
  return row!.id;
}

async function destinationRow(id: string) {
  const [row] = await db().select().from(streamDestinations).where(eq(streamDestinations.id, id));
  return row!;
}

/** Runs the sender (two at once, as two worker processes would) until the condition holds. */
async function sendUntil(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Promise.all([sendDueStreams(FAST), sendDueStreams(FAST)]);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const verifySignature = (body: string, header: string | string[] | undefined, secret = SECRET) =>
  verifyReceived(body, header, secret);

const lines = (request: ReceivedRequest) =>
  request.body
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as { id: string; action: string; url: string });

/** Entries of the organization after a position, in order of arrival: what a stream owes. */
async function arrivedIds(orgId: string, ids: string[]): Promise<string[]> {
  const rows = await db()
    .select({ id: auditLogs.id })
    .from(auditLogs)
    .where(and(eq(auditLogs.orgId, orgId), inArray(auditLogs.id, ids)))
    .orderBy(asc(auditLogs.receivedAt), asc(auditLogs.id));
  return rows.map((r) => r.id);
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  seeded = await seedDemoAccounts(testDb.handle.db);
  requestHeaders.current = new Headers(consoleServerHeaders("console.test", "198.51.100.9"));
  overrideEnv({ WEBHOOK_ALLOW_PRIVATE: true, APP_URL: "http://console.test" });
  hook = await startHttpReceiver();
});
afterEach(async () => {
  await db().delete(streamDestinations);
  hook.requests.length = 0;
  hook.answer = ok;
});
afterAll(async () => {
  await hook?.close();
  await testDb?.drop();
});

describe("delivery", () => {
  it("delivers every entry once, in order of arrival, across a receiver that fails for a while; retries keep their delivery id", async () => {
    const id = await destination({ batchSize: 3, maxWaitSeconds: 1 });
    // Three answers fail (500, a reset connection, 503), then the receiver recovers.
    hook.answer = (_req, res, index) => {
      if (index === 0) res.writeHead(500).end("down");
      else if (index === 1) res.destroy();
      else if (index === 2) res.writeHead(503).end("busy");
      else res.writeHead(200).end("ok");
    };
    const first = await store(acme(), [event(1), event(2), event(3), event(4)]);
    const theirs = await store(globex(), [event(50), event(51)]);
    const second = await store(acme(), [event(5), event(6), event(7)]);
    const third = await store(acme(), [event(8), event(9), event(10)]);
    const expected = await arrivedIds(acme(), [...first, ...second, ...third]);

    const delivered = () => hook.requests.filter((_, i) => i >= 3).flatMap((r) => lines(r).map((l) => l.id));
    await sendUntil(() => delivered().length >= expected.length, "every entry");

    // Every entry once, in order of arrival, none of the other organization's.
    expect(delivered()).toEqual(expected);
    expect(delivered().some((e) => theirs.includes(e))).toBe(false);
    // The failed attempts were one batch (the first three entries), retried under one id.
    const ids = hook.requests.map((r) => r.headers["x-audit-delivery"]);
    expect(new Set(ids.slice(0, 4)).size).toBe(1);
    expect(hook.requests.slice(0, 4).map((r) => r.body)).toEqual(Array(4).fill(hook.requests[0]!.body));
    expect(lines(hook.requests[0]!).map((l) => l.id)).toEqual(expected.slice(0, 3));
    // Across successful requests no delivery id repeats, and batches hold at most 3 entries.
    const okIds = ids.slice(3);
    expect(new Set(okIds).size).toBe(okIds.length);
    for (const request of hook.requests) {
      expect(request.method).toBe("POST");
      expect(request.headers["content-type"]).toBe("application/x-ndjson");
      expect(verifySignature(request.body, request.headers["x-audit-signature"])).toBe(true);
      expect(lines(request).length).toBeLessThanOrEqual(3);
      for (const line of lines(request)) expect(line.url).toBe(`http://console.test/orgs/acme/audit-logs/${line.id}`);
    }
    const row = await destinationRow(id);
    expect(row).toMatchObject({ state: "active", consecutiveFailures: 0, batchId: null, sentEntries: 10 });
    expect(row.lastError).toBe("the receiver answered HTTP 503");
    const [cursor] = await db()
      .select()
      .from(consumerCursors)
      .where(and(eq(consumerCursors.orgId, acme()), eq(consumerCursors.consumer, streamCursorName(id))));
    expect(cursor!.entryId).toBe(expected[expected.length - 1]);
  });

  it("sends Splunk HEC events with the token header, and only what the search matches", async () => {
    await destination({
      format: "splunk_hec",
      secret: "hec-token-0123",
      query: "action:delete",
      batchSize: 100,
      maxWaitSeconds: 1,
    });
    const ids = await store(acme(), [
      event(1, { action: "delete" }),
      event(2),
      event(3, { action: "delete", result: "failed" }),
      event(4, { category: "auth", action: "login" }),
    ]);
    const [matchA, , matchB] = ids;
    await sendUntil(() => hook.requests.length >= 1, "a batch");
    expect(hook.requests).toHaveLength(1);
    const request = hook.requests[0]!;
    expect(request.headers.authorization).toBe("Splunk hec-token-0123");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["x-audit-signature"]).toBeUndefined();
    expect(request.headers["x-audit-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
    const events = request.body.split("\n").map(
      (l) =>
        JSON.parse(l) as {
          time: number;
          source: string;
          sourcetype: string;
          event: { id: string; action: string; occurredAt: string };
        },
    );
    expect(events.map((e) => e.event.id)).toEqual(await arrivedIds(acme(), [matchA!, matchB!]));
    for (const e of events) {
      expect(e.time).toBe(Date.parse(e.event.occurredAt) / 1000);
      expect(e).toMatchObject({ source: "audit-console", sourcetype: "audit-console:entry" });
      expect(e.event.action).toBe("delete");
    }
  });

  it("pauses itself after 8 failures in a row with the last error, keeps entries while paused, and catches up on resume", async () => {
    const id = await destination({ batchSize: 2, maxWaitSeconds: 1 });
    hook.answer = (_req, res) => void res.writeHead(503).end("unavailable");
    const before = await store(acme(), [event(1), event(2), event(3)]);
    await sendUntil(async () => (await destinationRow(id)).state === "paused", "the pause");
    const paused = await destinationRow(id);
    expect(paused).toMatchObject({ consecutiveFailures: 8, lastError: "the receiver answered HTTP 503" });
    expect(hook.requests).toHaveLength(8);
    expect(new Set(hook.requests.map((r) => r.headers["x-audit-delivery"])).size).toBe(1);
    const [entry] = await db()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.orgId, acme()), eq(auditLogs.action, STREAM_PAUSED_ACTION)))
      .orderBy(desc(auditLogs.receivedAt))
      .limit(1);
    expect(entry).toMatchObject({ category: "audit", result: "failed", targetId: id, actorId: null });

    // Paused: nothing is sent, entries wait.
    const during = await store(acme(), [event(4), event(5)]);
    expect(await sendDueStreams(FAST)).toBe(0);
    expect(hook.requests).toHaveLength(8);
    const page = await admin(() => loadNotificationSettings("acme"));
    if (!page.ok) throw new Error("no page data");
    const shown = page.data.streams.find((s) => s.id === id)!;
    expect(shown).toMatchObject({ state: "paused", lastError: "the receiver answered HTTP 503" });
    expect(shown.behind.count).toBeGreaterThanOrEqual(5);
    expect(shown.oldestUnsentAt).not.toBeNull();

    hook.answer = ok;
    expect(await admin(() => streamActions.setStreamStateAction("acme", { id, state: "active" }))).toEqual({
      data: { id, state: "active" },
    });
    const expected = await arrivedIds(acme(), [...before, ...during]);
    const sent = () => hook.requests.slice(8).flatMap((r) => lines(r).map((l) => l.id));
    await sendUntil(() => expected.every((e) => sent().includes(e)), "the catch-up");
    // The batch that was failing goes first, under its id; then everything that waited, in order.
    expect(hook.requests[8]!.headers["x-audit-delivery"]).toBe(hook.requests[0]!.headers["x-audit-delivery"]);
    expect(sent().filter((e) => expected.includes(e))).toEqual(expected);
    expect(await destinationRow(id)).toMatchObject({ state: "active", consecutiveFailures: 0 });
  });
});

describe("settings", () => {
  it("creates a stream with its secret answered once, changes, pauses, resumes and deletes it, each with before and after", async () => {
    const created = await admin(() =>
      streamActions.createStreamAction("acme", {
        format: "ndjson",
        name: "SIEM",
        url: hook.url,
        query: "type:auth",
        batchSize: 100,
        maxWaitSeconds: 5,
      }),
    );
    if (created.error !== undefined) throw new Error(created.error);
    const { id, secret } = created.data;
    expect(secret?.secret).toMatch(/^whsec_/);
    const row = await destinationRow(id);
    expect(row.secretCiphertext).not.toContain(secret!.secret);
    expect(openSecret(row.secretCiphertext)).toBe(secret!.secret);
    const page = await admin(() => loadNotificationSettings("acme"));
    expect(JSON.stringify(page)).not.toContain(secret!.secret);

    const tested = await admin(() => streamActions.testStreamAction("acme", { id }));
    expect(tested).toMatchObject({ data: { delivered: true } });
    expect(
      verifySignature(hook.requests[0]!.body, hook.requests[0]!.headers["x-audit-signature"], secret!.secret),
    ).toBe(true);
    expect(JSON.parse(hook.requests[0]!.body.trim())).toMatchObject({ test: true, organization: "acme" });

    expect(
      await admin(() =>
        streamActions.updateStreamAction("acme", {
          id,
          name: "SIEM 2",
          url: hook.url,
          query: "type:auth result:failed",
          batchSize: 50,
          maxWaitSeconds: 5,
        }),
      ),
    ).toEqual({ data: { id, changed: true } });
    expect(await admin(() => streamActions.setStreamStateAction("acme", { id, state: "paused" }))).toEqual({
      data: { id, state: "paused" },
    });
    expect(await admin(() => streamActions.setStreamStateAction("acme", { id, state: "active" }))).toEqual({
      data: { id, state: "active" },
    });
    expect(await admin(() => streamActions.deleteStreamAction("acme", { id }))).toEqual({ data: { id } });
    expect(await db().select().from(streamDestinations).where(eq(streamDestinations.id, id))).toEqual([]);

    const entries = await db()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.orgId, acme()), eq(auditLogs.targetId, id)))
      .orderBy(asc(auditLogs.receivedAt), asc(sql`${auditLogs.occurredAt}`));
    const byAction = new Map(entries.map((e) => [e.action, e]));
    expect(byAction.get("create_stream_destination")).toMatchObject({
      category: "audit",
      before: null,
      after: {
        name: "SIEM",
        format: "ndjson",
        query: "type:auth",
        state: "active",
        url: "http://127.0.0.1:" + new URL(hook.url).port + "/…",
      },
    });
    expect(byAction.get("update_stream_destination")).toMatchObject({
      before: { name: "SIEM", batchSize: 100 },
      after: { name: "SIEM 2", batchSize: 50, query: "type:auth result:failed" },
    });
    expect(byAction.get("pause_stream_destination")).toMatchObject({
      before: { state: "active" },
      after: { state: "paused" },
    });
    expect(byAction.get("resume_stream_destination")).toMatchObject({
      before: { state: "paused" },
      after: { state: "active" },
    });
    expect(byAction.get("delete_stream_destination")).toMatchObject({ before: { name: "SIEM 2" }, after: null });
    expect(byAction.get("test_stream_destination")).toMatchObject({ result: "done" });
    expect(JSON.stringify(entries)).not.toContain(secret!.secret);
  });

  it("rotates an NDJSON stream's secret: answered once, both secrets sign during the grace period, only the new one after, logged without either", async () => {
    const created = await admin(() =>
      streamActions.createStreamAction("acme", {
        format: "ndjson",
        name: "Rotating",
        url: hook.url,
        query: "",
        batchSize: 1,
        maxWaitSeconds: 1,
      }),
    );
    if (created.error !== undefined) throw new Error(created.error);
    const { id } = created.data;
    const old = created.data.secret!.secret;
    const before = await destinationRow(id);

    const startedAt = Date.now();
    const rotated = await admin(() => streamActions.rotateStreamSecretAction("acme", { id }));
    if (rotated.error !== undefined) throw new Error(rotated.error);
    const fresh = rotated.data.secret;
    expect(rotated.data).toEqual({ streamId: id, name: "Rotating", secret: fresh });
    expect(fresh).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(old);
    const row = await destinationRow(id);
    expect(openSecret(row.secretCiphertext)).toBe(fresh);
    expect(row.previousSecretCiphertext).toBe(before.secretCiphertext);
    expect(openSecret(row.previousSecretCiphertext!)).toBe(old);
    const grace = row.previousSecretUntil!.getTime();
    expect(grace).toBeGreaterThanOrEqual(startedAt + 24 * 3_600_000 - 1000);
    expect(grace).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000 + 1000);
    const page = await admin(() => loadNotificationSettings("acme"));
    expect(JSON.stringify(page)).not.toContain(fresh);

    // Within the grace period a receiver still on the old secret accepts the batch, and so does
    // one already on the new secret.
    const [first] = await store(acme(), [event(1, { action: "rotate_grace" })]);
    await sendUntil(() => hook.requests.some((r) => lines(r).some((l) => l.id === first)), "the batch in grace");
    const inGrace = hook.requests.find((r) => lines(r).some((l) => l.id === first))!;
    const header = inGrace.headers["x-audit-signature"] as string;
    const previous = inGrace.headers["x-audit-signature-previous"] as string;
    expect(verifySignature(inGrace.body, header, fresh)).toBe(true);
    expect(verifySignature(inGrace.body, header, old)).toBe(false);
    expect(verifySignature(inGrace.body, previous, old)).toBe(true);
    expect(verifySignature(inGrace.body, previous, SECRET)).toBe(false);

    // The grace period over (its stored end moved into the past stands for the 24 hours passing):
    // only the new secret signs, and the header is the contract's single value again.
    await db()
      .update(streamDestinations)
      .set({ previousSecretUntil: new Date(Date.now() - 1000) })
      .where(eq(streamDestinations.id, id));
    const [second] = await store(acme(), [event(2, { action: "rotate_after" })]);
    await sendUntil(() => hook.requests.some((r) => lines(r).some((l) => l.id === second)), "the batch after grace");
    const after = hook.requests.find((r) => lines(r).some((l) => l.id === second))!;
    const single = after.headers["x-audit-signature"] as string;
    expect(single).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(after.body, single, fresh)).toBe(true);
    expect(verifySignature(after.body, single, old)).toBe(false);
    expect(after.headers["x-audit-signature-previous"]).toBeUndefined();

    const [entry] = await db()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.orgId, acme()), eq(auditLogs.action, "rotate_stream_secret")));
    expect(entry).toMatchObject({ category: "audit", targetId: id, targetName: "Rotating", result: "done" });
    expect(entry!.before).toMatchObject({ name: "Rotating", format: "ndjson", secret: "previous secret" });
    expect(entry!.after).toMatchObject({ name: "Rotating", format: "ndjson", secret: "new secret" });
    const everything = JSON.stringify(await db().select().from(auditLogs));
    for (const text of [old, fresh, before.secretCiphertext, row.secretCiphertext])
      expect(everything).not.toContain(text);

    // A Splunk HEC stream's token comes from Splunk: nothing to rotate.
    const splunk = await admin(() =>
      streamActions.createStreamAction("acme", {
        format: "splunk_hec",
        name: "Splunk",
        url: hook.url,
        token: "hec-token",
        query: "",
        batchSize: 10,
        maxWaitSeconds: 5,
      }),
    );
    const refused = await admin(() => streamActions.rotateStreamSecretAction("acme", { id: splunk.data!.id }));
    expect(refused).toEqual({ error: NOTIFICATION_MESSAGES.notSignedStream });
    expect(openSecret((await destinationRow(splunk.data!.id)).secretCiphertext)).toBe("hec-token");
  });

  it("refuses bad input: a private URL when not allowed, a search the explorer refuses, a Splunk stream without token", async () => {
    const base = { name: "x", url: hook.url, query: "", batchSize: 10, maxWaitSeconds: 5 } as const;
    overrideEnv({ WEBHOOK_ALLOW_PRIVATE: false });
    try {
      const refused = await admin(() => streamActions.createStreamAction("acme", { ...base, format: "ndjson" }));
      expect(refused.error).toMatch(/loopback address; webhooks may not reach it/);
    } finally {
      overrideEnv({ WEBHOOK_ALLOW_PRIVATE: true });
    }
    const badQuery = await admin(() =>
      streamActions.createStreamAction("acme", { ...base, format: "ndjson", query: "nope:thing" }),
    );
    expect(badQuery.error).toMatch(/nope:thing not applied/);
    const noToken = await admin(() =>
      streamActions.createStreamAction("acme", { ...base, format: "splunk_hec", token: "" }),
    );
    expect(noToken.error).toBe("Enter the HTTP Event Collector token from Splunk.");
    const tooBig = await admin(() =>
      streamActions.createStreamAction("acme", { ...base, format: "ndjson", batchSize: 1001 }),
    );
    expect(tooBig.error).toMatch(/batch size/);
    expect(await db().select().from(streamDestinations)).toEqual([]);
  });

  it("refuses members without audit.manage (page data and every action), and answers another organization's stream like a missing one", async () => {
    const id = await destination();
    const calls: (() => Promise<unknown>)[] = [
      () =>
        streamActions.createStreamAction("acme", {
          format: "ndjson",
          name: "x",
          url: hook.url,
          query: "",
          batchSize: 10,
          maxWaitSeconds: 5,
        }),
      () =>
        streamActions.updateStreamAction("acme", {
          id,
          name: "x",
          url: hook.url,
          query: "",
          batchSize: 10,
          maxWaitSeconds: 5,
        }),
      () => streamActions.setStreamStateAction("acme", { id, state: "paused" }),
      () => streamActions.deleteStreamAction("acme", { id }),
      () => streamActions.testStreamAction("acme", { id }),
      () => streamActions.rotateStreamSecretAction("acme", { id }),
    ];
    for (const email of ["member@acme.test", "manager@acme.test"]) {
      expect(await as(email, () => loadNotificationSettings("acme"))).toEqual({ ok: false, reason: "forbidden" });
      for (const call of calls) expect(await as(email, call)).toEqual({ error: NO_PERMISSION_TEXT });
    }
    expect(hook.requests).toHaveLength(0);
    expect(await destinationRow(id)).toMatchObject({ name: "SIEM", state: "active", previousSecretCiphertext: null });
    expect(openSecret((await destinationRow(id)).secretCiphertext)).toBe(SECRET);

    // Acme's admin, in Acme, about Globex's stream: the same answer as a missing id.
    const [theirs] = await db()
      .insert(streamDestinations)
      .values({
        orgId: globex(),
        name: "Globex SIEM",
        format: "ndjson",
        url: hook.url,
        secretCiphertext: sealSecret(SECRET),
      })
      .returning();
    const missing = "00000000-0000-4000-8000-000000000000";
    for (const target of [theirs!.id, missing]) {
      const answers = await admin(() =>
        Promise.all([
          streamActions.updateStreamAction("acme", {
            id: target,
            name: "x",
            url: hook.url,
            query: "",
            batchSize: 10,
            maxWaitSeconds: 5,
          }),
          streamActions.setStreamStateAction("acme", { id: target, state: "paused" }),
          streamActions.deleteStreamAction("acme", { id: target }),
          streamActions.testStreamAction("acme", { id: target }),
          streamActions.rotateStreamSecretAction("acme", { id: target }),
        ]),
      );
      for (const answer of answers) expect(answer).toEqual({ error: NOTIFICATION_MESSAGES.streamNotFound });
    }
    expect(hook.requests).toHaveLength(0);
    const acmePage = await admin(() => loadNotificationSettings("acme"));
    expect(acmePage.ok && acmePage.data.streams.map((s) => s.id)).toEqual([id]);
    expect(await destinationRow(theirs!.id)).toMatchObject({
      name: "Globex SIEM",
      state: "active",
      previousSecretCiphertext: null,
    });
    expect(await destinationRow(id)).toMatchObject({ state: "active" });
  });
});
