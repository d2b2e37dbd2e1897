import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/audit-events/route";
import { queryRows } from "@/db/client";
import { apiKeys, auditLogs, organizations } from "@/db/schema";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

let testDb: TestDatabase;
let acme: { id: string; key: string };
let globex: { id: string; key: string };

function post(key: string | null, body: unknown, raw?: string): Promise<Response> {
  // The Host a client sends, and the forwarded host and protocol server.ts would set from it.
  const headers: Record<string, string> = {
    "content-type": "application/json",
    host: "console.test",
    "x-forwarded-host": "console.test",
    "x-forwarded-proto": "http",
  };
  if (key) headers.authorization = `Bearer ${key}`;
  return POST(
    new Request("http://console.test/api/v1/audit-events", {
      method: "POST",
      headers,
      body: raw ?? JSON.stringify(body),
    }),
  );
}

function event(i: number, overrides: Record<string, unknown> = {}) {
  return {
    idempotencyKey: `evt-${i}`,
    occurredAt: new Date(Date.UTC(2026, 10, 20, 9, 0, 0) + i * 1000).toISOString(),
    actor: { id: `u_${i % 7}`, name: `User ${i % 7}`, email: `user${i % 7}@acme.test` },
    category: "service",
    action: "deploy",
    description: `deploy service checkout #${i}`,
    target: { type: "service", id: "svc_9", name: "checkout" },
    result: i % 5 === 0 ? "failed" : "done",
    level: "notice",
    service: "Deployments",
    ip: i % 2 ? "203.0.113.7" : "2001:db8::7",
    requestId: `req_${i}`,
    correlationId: "op_77",
    params: { env: "production" },
    before: { version: "1.4.2" },
    after: { version: "1.5.0" },
    ...overrides,
  };
}

async function rowsOf(orgId: string): Promise<number> {
  const [row] = await testDb.handle.db.select({ n: count() }).from(auditLogs).where(eq(auditLogs.orgId, orgId));
  return row!.n;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  const db = testDb.handle.db;
  const [a] = await db.insert(organizations).values({ slug: "acme", name: "Acme" }).returning();
  const [g] = await db.insert(organizations).values({ slug: "globex", name: "Globex" }).returning();
  acme = { id: a!.id, key: (await createApiKey(db, { orgId: a!.id, name: "ci", createdBy: null })).secret };
  globex = { id: g!.id, key: (await createApiKey(db, { orgId: g!.id, name: "ci", createdBy: null })).secret };
});

afterAll(async () => {
  await testDb?.drop();
});

describe("POST /api/v1/audit-events", () => {
  it("accepts a batch of 1,000 events and answers ids and permalinks in the order sent", async () => {
    const events = Array.from({ length: 1000 }, (_, i) => event(i));
    const response = await post(acme.key, { events });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { entries: { id: string; url: string }[] };
    expect(body.entries).toHaveLength(1000);
    expect(await rowsOf(acme.id)).toBe(1000);
    const stored = await testDb.handle.db
      .select({ id: auditLogs.id, requestId: auditLogs.requestId })
      .from(auditLogs)
      .where(eq(auditLogs.orgId, acme.id));
    const byId = new Map(stored.map((r) => [r.id, r.requestId]));
    body.entries.forEach((entry, i) => {
      expect(byId.get(entry.id)).toBe(`req_${i}`);
      expect(entry.url).toBe(`http://console.test/orgs/acme/audit-logs/${entry.id}`);
    });
  });

  it("stores nothing new when the same batch is sent again, and answers the first ids", async () => {
    const events = Array.from({ length: 1000 }, (_, i) => event(i));
    const first = (await (await post(acme.key, { events })).json()) as { entries: { id: string }[] };
    const again = await post(acme.key, { events });
    expect(again.status).toBe(201);
    const body = (await again.json()) as { entries: { id: string; duplicate: boolean }[] };
    expect(body.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));
    expect(body.entries.every((e) => e.duplicate)).toBe(true);
    expect(await rowsOf(acme.id)).toBe(1000);
  });

  it("treats a key repeated inside one batch as one event", async () => {
    const response = await post(acme.key, { events: [event(5000), event(5000)] });
    const body = (await response.json()) as { entries: { id: string }[] };
    expect(body.entries[0]!.id).toBe(body.entries[1]!.id);
    expect(await rowsOf(acme.id)).toBe(1001);
  });

  it("mixes known keys, new keys and events without a key in one batch, answering each in order", async () => {
    type Answer = { entries: { id: string; duplicate: boolean }[] };
    const known = (await (await post(acme.key, { events: [event(6000)] })).json()) as Answer;
    const before = await rowsOf(acme.id);
    const response = await post(acme.key, {
      events: [event(6001), event(6000), event(6002, { idempotencyKey: null }), event(6001), event(6003)],
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as Answer;
    expect(body.entries.map((e) => e.duplicate)).toEqual([false, true, false, true, false]);
    expect(body.entries[1]!.id).toBe(known.entries[0]!.id);
    expect(body.entries[3]!.id).toBe(body.entries[0]!.id);
    expect(new Set(body.entries.map((e) => e.id)).size).toBe(4);
    expect(await rowsOf(acme.id)).toBe(before + 3);
  });

  it("stores a batch once when two requests send it at the same time", async () => {
    type Answer = { entries: { id: string; duplicate: boolean }[] };
    const events = Array.from({ length: 200 }, (_, i) => event(7000 + i));
    const before = await rowsOf(acme.id);
    const [a, b] = await Promise.all([post(acme.key, { events }), post(acme.key, { events })]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const [first, second] = (await Promise.all([a.json(), b.json()])) as [Answer, Answer];
    expect(second.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));
    // Exactly one of the two stored the batch; the other answered with its ids.
    expect([first, second].map((r) => r.entries.every((e) => e.duplicate)).sort()).toEqual([false, true]);
    expect(await rowsOf(acme.id)).toBe(before + 200);
  });

  it("rejects a malformed batch whole, naming the offending fields", async () => {
    const before = await rowsOf(acme.id);
    const events = [
      event(9001, { idempotencyKey: null }),
      event(9002, { occurredAt: "yesterday" }),
      event(9003, { category: "nope" }),
      event(9004, { ip: "999.1.1.1" }),
    ];
    const response = await post(acme.key, { events });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { fields: { field: string; message: string }[] };
    const fields = body.fields.map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(["events.1.occurredAt", "events.2.category", "events.3.ip"]));
    expect(fields.some((f) => f.startsWith("events.0"))).toBe(false);
    expect(await rowsOf(acme.id)).toBe(before);
  });

  it("rejects events in the future, and requires only occurredAt, category, action and result", async () => {
    const future = await post(
      acme.key,
      event(1, { idempotencyKey: "future", occurredAt: new Date(Date.now() + 3600_000).toISOString() }),
    );
    expect(future.status).toBe(400);
    const minimal = await post(acme.key, {
      occurredAt: new Date().toISOString(),
      category: "system",
      action: "start",
      result: "pending",
      actor: null,
    });
    expect(minimal.status).toBe(201);
    const { entries } = (await minimal.json()) as { entries: { id: string }[] };
    const [row] = await testDb.handle.db.select().from(auditLogs).where(eq(auditLogs.id, entries[0]!.id));
    expect(row).toMatchObject({ actorId: null, actorEmail: null, level: "information", orgId: acme.id });
  });

  it("answers 401 for a missing, wrong or revoked key and stores nothing", async () => {
    const before = await rowsOf(acme.id);
    expect((await post(null, event(1))).status).toBe(401);
    expect((await post("ak_not-a-key", event(1))).status).toBe(401);
    const revoked = await createApiKey(testDb.handle.db, { orgId: acme.id, name: "old", createdBy: null });
    await testDb.handle.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.prefix, revoked.prefix));
    expect((await post(revoked.secret, event(77, { idempotencyKey: "revoked" }))).status).toBe(401);
    expect(await rowsOf(acme.id)).toBe(before);
  });

  it("refuses a read-only key with 403 and stores nothing; a read,write key writes", async () => {
    const before = await rowsOf(acme.id);
    const db = testDb.handle.db;
    const reader = await createApiKey(db, { orgId: acme.id, name: "reader", createdBy: null, scopes: ["read"] });
    const refused = await post(reader.secret, event(88, { idempotencyKey: "read-only" }));
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: string; scopes: string[] };
    expect(body.error).toContain("cannot write events");
    expect(body.scopes).toEqual(["read"]);
    expect(await rowsOf(acme.id)).toBe(before);
    const both = await createApiKey(db, { orgId: acme.id, name: "both", createdBy: null, scopes: ["read", "write"] });
    expect((await post(both.secret, event(89, { idempotencyKey: "read-write" }))).status).toBe(201);
    expect(await rowsOf(acme.id)).toBe(before + 1);
  });

  it("gives keys made without scopes (and keys from before scopes) the write scope only", async () => {
    const db = testDb.handle.db;
    const made = await createApiKey(db, { orgId: acme.id, name: "default", createdBy: null });
    expect(made.scopes).toEqual(["write"]);
    // A row inserted as the migration found old keys: no scopes column given.
    await queryRows(
      db,
      sql`insert into api_keys (org_id, name, prefix, secret_hash) values (${acme.id}, 'legacy', 'ak_legacy', 'legacy-hash')`,
    );
    const [legacy] = await db.select({ scopes: apiKeys.scopes }).from(apiKeys).where(eq(apiKeys.name, "legacy"));
    expect(legacy!.scopes).toEqual(["write"]);
    // A key with no scope at all cannot exist.
    await expect(
      queryRows(
        db,
        sql`insert into api_keys (org_id, name, prefix, secret_hash, scopes) values (${acme.id}, 'none', 'ak_none', 'none-hash', '{}')`,
      ),
    ).rejects.toThrow();
  });

  it("finds a key by its organization and hash; a key from before 0019 by its hash alone", async () => {
    const db = testDb.handle.db;
    // The secret ends with its organization's id (docs/scaling.md): one organization's row is read.
    expect(acme.key).toMatch(new RegExp(`^ak_[A-Za-z0-9_-]{43}_${acme.id.replaceAll("-", "")}$`));
    // Pointing the suffix at another organization finds nothing, there or here.
    const moved = `${acme.key.slice(0, -32)}${globex.id.replaceAll("-", "")}`;
    expect((await post(moved, event(90, { idempotencyKey: "moved" }))).status).toBe(401);
    // A key made before the organization was part of the secret, stored as the migration found it.
    const legacySecret = `ak_${"L".repeat(43)}`;
    await queryRows(
      db,
      sql`insert into api_keys (org_id, name, prefix, secret_hash) values (${acme.id}, 'before-0019', ${legacySecret.slice(0, 12)}, encode(sha256(convert_to(${legacySecret}, 'UTF8')), 'hex'))`,
    );
    const before = await rowsOf(acme.id);
    expect((await post(legacySecret, event(91, { idempotencyKey: "legacy-key" }))).status).toBe(201);
    expect(await rowsOf(acme.id)).toBe(before + 1);
    const [used] = await db
      .select({ lastUsedAt: apiKeys.lastUsedAt })
      .from(apiKeys)
      .where(eq(apiKeys.name, "before-0019"));
    expect(used!.lastUsedAt).not.toBeNull();
  });

  it("writes with another organization's key only into that organization", async () => {
    const acmeBefore = await rowsOf(acme.id);
    // The same idempotency key in another organization is a different event.
    const response = await post(globex.key, { events: [event(0), event(1)] });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { entries: { url: string }[] };
    expect(body.entries[0]!.url).toContain("/orgs/globex/");
    expect(await rowsOf(globex.id)).toBe(2);
    expect(await rowsOf(acme.id)).toBe(acmeBefore);
  });

  it("answers 413 for more than 1,000 events or an oversized body, and 400 for invalid JSON", async () => {
    const tooMany = await post(acme.key, { events: Array.from({ length: 1001 }, (_, i) => event(20000 + i)) });
    expect(tooMany.status).toBe(413);
    const huge = await post(
      acme.key,
      null,
      JSON.stringify({ events: [event(1, { description: "x".repeat(9 * 1024 * 1024) })] }),
    );
    expect(huge.status).toBe(413);
    const invalid = await post(acme.key, null, "{not json");
    expect(invalid.status).toBe(400);
  });

  it("keeps every row in a partition: nothing lands in the default partition for current months", async () => {
    const [row] = await queryRows<{ n: number }>(
      testDb.handle.db,
      sql`select count(*)::int as n from audit_logs_default`,
    );
    expect(row!.n).toBe(0);
  });

  it("stores every field as sent: text with quotes and line breaks, JSON, addresses, times, nulls", async () => {
    const tricky = 'a "quoted", \\ backslashed\nsecond\tline é 中 🚀';
    const sent = event(9500, {
      description: tricky,
      ip: "2001:db8::7",
      params: { nested: { list: [1, "two", null, true] }, quote: '"' },
      before: null,
      after: { version: "1.5.0" },
      error: { code: "timeout", message: "took too long" },
      userAgent: "curl/8.5",
    });
    const response = await post(acme.key, sent);
    const [entry] = ((await response.json()) as { entries: { id: string }[] }).entries;
    const [row] = await testDb.handle.db.select().from(auditLogs).where(eq(auditLogs.id, entry!.id));
    expect(row).toMatchObject({
      orgId: acme.id,
      occurredAt: new Date(sent.occurredAt),
      actorId: "u_1",
      actorName: "User 1",
      actorEmail: "user1@acme.test",
      category: "service",
      action: "deploy",
      description: tricky,
      targetType: "service",
      targetId: "svc_9",
      targetName: "checkout",
      result: "failed",
      level: "notice",
      service: "Deployments",
      ip: "2001:db8::7",
      userAgent: "curl/8.5",
      requestId: "req_9500",
      correlationId: "op_77",
      params: { nested: { list: [1, "two", null, true] }, quote: '"' },
      before: null,
      after: { version: "1.5.0" },
      errorCode: "timeout",
      errorMessage: "took too long",
      idempotencyKey: "evt-9500",
    });
  });
});

describe("POST /api/v1/audit-events: text PostgreSQL cannot store, deep and large JSON", () => {
  type Fields = { field: string; message: string }[];
  // Raw JSON text, so lone surrogates arrive exactly as a client would send them.
  const cases: [string, string, string][] = [
    ["a NUL in a text field", '"description":"a\\u0000b"', "description"],
    ["a lone high surrogate in a text field", '"action":"dep\\ud800loy"', "action"],
    ["a lone low surrogate in the actor's name", '"actor":{"name":"x\\udc00"}', "actor.name"],
    ["a NUL in the idempotency key", '"idempotencyKey":"k\\u0000"', "idempotencyKey"],
    ["a NUL in a nested params string", '"params":{"a":{"b":["ok","x\\u0000"]}}', "params.a.b.1"],
    ["a lone surrogate in a params key", '"params":{"a":{"k\\ud800":1}}', "params.a.k\\ud800"],
    ["a NUL in a before key", '"before":{"\\u0000":1}', "before.\\u0000"],
    ["a NUL in an unknown top-level key", '"x\\u0000":1', "x\\u0000"],
    ["a NUL in the error message", '"error":{"message":"m\\u0000"}', "error.message"],
  ];
  const base = '"occurredAt":"2026-11-20T09:00:00Z","category":"service","result":"done"';

  it.each(cases)("answers 400 naming the field for %s, and stores nothing", async (_what, member, field) => {
    const before = await rowsOf(acme.id);
    const hasAction = member.startsWith('"action"');
    const raw = `{${base},${hasAction ? "" : '"action":"deploy",'}${member}}`;
    const response = await post(acme.key, null, raw);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { fields: Fields };
    expect(body.fields).toContainEqual({
      field,
      message: expect.stringMatching(/NUL characters or unpaired surrogates/),
    });
    // Inside a batch the field carries the event's index.
    const batch = await post(acme.key, null, `{"events":[${JSON.stringify(event(9700))},${raw}]}`);
    expect(batch.status).toBe(400);
    expect(((await batch.json()) as { fields: Fields }).fields.map((f) => f.field)).toContain(`events.1.${field}`);
    expect(await rowsOf(acme.id)).toBe(before);
  });

  it("still stores characters outside the basic plane (paired surrogates) as sent", async () => {
    const response = await post(acme.key, event(9701, { description: "deploy 😀 漢字", params: { "k😀": "v😀" } }));
    expect(response.status).toBe(201);
    const [row] = await testDb.handle.db
      .select({ description: auditLogs.description, params: auditLogs.params })
      .from(auditLogs)
      .where(eq(auditLogs.idempotencyKey, "evt-9701"));
    expect(row).toEqual({ description: "deploy 😀 漢字", params: { "k😀": "v😀" } });
  });

  it("answers 400 naming params for 10,000 levels of nesting, without overflowing the stack", async () => {
    const before = await rowsOf(acme.id);
    const deep = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
    const raw = JSON.stringify(event(9702)).replace(/"params":\{[^}]*\}/, `"params":${deep}`);
    expect(raw.length).toBeGreaterThan(60_000);
    const response = await post(acme.key, null, raw);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { fields: Fields };
    expect(body.fields).toEqual([{ field: "params", message: "must not nest deeper than 32 levels" }]);
    expect(await rowsOf(acme.id)).toBe(before);
  });

  it("accepts 32 levels and refuses 33, and refuses one entry's JSON over 64 KiB", async () => {
    const nest = (levels: number) => JSON.parse(`${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`) as object;
    expect((await post(acme.key, event(9703, { after: nest(32) }))).status).toBe(201);
    const tooDeep = await post(acme.key, event(9704, { after: nest(33) }));
    expect(tooDeep.status).toBe(400);
    expect(((await tooDeep.json()) as { fields: Fields }).fields.map((f) => f.field)).toEqual(["after"]);
    // Multi-byte text counts in bytes: 22,000 three-byte characters are 66 KB, not 22 K characters.
    const large = await post(acme.key, event(9705, { before: { text: "漢".repeat(22_000) } }));
    expect(large.status).toBe(400);
    expect(((await large.json()) as { fields: Fields }).fields).toEqual([
      { field: "before", message: "must be at most 64 KiB of JSON" },
    ]);
  });
});
