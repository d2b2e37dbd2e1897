import { and, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { queryRows } from "@/db/client";
import { apiKeys, auditLogs, organizations } from "@/db/schema";
import type { ApiKeyScope } from "@/db/schema/enums";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { consoleServerHeaders } from "../helpers/console-server-headers";
import { overrideEnv, resetEnv } from "../helpers/env-override";
import type { EntryJson } from "../helpers/entry-json";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * The read API (GET /api/v1/audit-events) against a real database: the route handler called as
 * server.ts would call it, the key, the query core and the stream all real. Expected answers come
 * from SQL written here, not from the code under test.
 */
vi.mock("@/lib/env", () => import("../helpers/env-override"));

const { GET, POST } = await import("@/app/api/v1/audit-events/route");

const HOST = "console.test";
let testDb: TestDatabase;
let acme: { id: string; writer: string; reader: string };
let globex: { id: string; reader: string };

type Entry = EntryJson;
type Page = { entries: Entry[]; next: string | null };
type Problem = { error: string; params: { param: string; message: string }[] };

function headers(key: string | null, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { ...consoleServerHeaders(HOST, "198.51.100.9"), ...extra };
  if (key) h.authorization = `Bearer ${key}`;
  return h;
}

function get(key: string | null, query: Record<string, string> | string = {}, extra: Record<string, string> = {}) {
  const qs = typeof query === "string" ? query : new URLSearchParams(query).toString();
  return GET(new Request(`http://${HOST}/api/v1/audit-events${qs ? `?${qs}` : ""}`, { headers: headers(key, extra) }));
}

async function getPage(key: string, query: Record<string, string>): Promise<Page> {
  const response = await get(key, query);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Page;
}

function post(key: string, events: unknown[]) {
  return POST(
    new Request(`http://${HOST}/api/v1/audit-events`, {
      method: "POST",
      headers: { ...headers(key), "content-type": "application/json" },
      body: JSON.stringify({ events }),
    }),
  );
}

const HOUR = 3_600_000;

function event(i: number, at: number, overrides: Record<string, unknown> = {}) {
  return {
    idempotencyKey: `evt-${i}`,
    occurredAt: new Date(at).toISOString(),
    actor: { id: `u_${i % 7}`, name: `User ${i % 7}`, email: `user${i % 7}@acme.test` },
    category: i % 3 ? "service" : "auth",
    action: i % 2 ? "deploy" : "login",
    description: `event number ${i}`,
    target: { type: "service", id: `svc_${i % 11}`, name: `checkout-${i % 11}` },
    result: i % 5 === 0 ? "failed" : "done",
    level: "notice",
    service: "Deployments",
    ip: "203.0.113.7",
    requestId: `req_${i}`,
    correlationId: `op_${i % 13}`,
    params: { n: i },
    before: null,
    after: null,
    ...overrides,
  };
}

async function ingest(key: string, events: unknown[]) {
  const response = await post(key, events);
  expect(response.status).toBe(201);
}

async function newKey(orgId: string, scopes: ApiKeyScope[], name = `k-${Math.random()}`) {
  return (await createApiKey(testDb.handle.db, { orgId, name, createdBy: null, scopes })).secret;
}

/** The organization's entry ids in the time order (newest first), read by plain SQL. */
async function idsNewestFirst(orgId: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    testDb.handle.db,
    sql`select id::text as id from audit_logs where org_id = ${orgId} and occurred_at >= now() - interval '7 days' order by occurred_at desc, id desc`,
  );
  return rows.map((r) => r.id);
}

const DATA_SET = 2400;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const db = testDb.handle.db;
  const [a] = await db.insert(organizations).values({ slug: "acme", name: "Acme" }).returning();
  const [g] = await db.insert(organizations).values({ slug: "globex", name: "Globex" }).returning();
  acme = { id: a!.id, writer: "", reader: "" };
  globex = { id: g!.id, reader: "" };
  acme.writer = await newKey(acme.id, ["write"], "writer");
  acme.reader = await newKey(acme.id, ["read"], "reader");
  globex.reader = await newKey(globex.id, ["read", "write"], "globex");
  // Spread over the last 6 days, with runs of equal times so the id tiebreak matters.
  const now = Date.now();
  for (let start = 0; start < DATA_SET; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, DATA_SET - start) }, (_, j) => {
      const i = start + j;
      return event(i, now - 6 * 24 * HOUR + Math.floor(i / 3) * 60_000);
    });
    await ingest(acme.writer, batch);
  }
  await ingest(globex.reader, [event(900_001, now - HOUR, { requestId: "req_globex_only" })]);
});

afterEach(() => resetEnv());

afterAll(async () => {
  await testDb?.drop();
});

describe("GET /api/v1/audit-events", () => {
  it("pages through the whole search once, in order, while new entries are ingested", async () => {
    const expected = await idsNewestFirst(acme.id);
    expect(expected.length).toBe(DATA_SET);
    const seen: string[] = [];
    let page = await getPage(acme.reader, { size: "250" });
    seen.push(...page.entries.map((e) => e.id));
    // Entries keep arriving (newer ones, and some in the middle of the period) while the pages are read.
    let done = false;
    let arrived = 0;
    const writer = (async () => {
      for (let round = 0; !done; round++) {
        const now = Date.now();
        await ingest(
          acme.writer,
          Array.from({ length: 20 }, (_, j) => {
            const i = 100_000 + round * 20 + j;
            // The data set spans 800 minutes from 6 days ago; half of these land in its middle,
            // in the part of the order not read yet.
            return event(i, j % 2 ? now - j : now - 6 * 24 * HOUR + 400 * 60_000 + j * 1000);
          }),
        );
        arrived += 20;
      }
    })();
    try {
      while (page.next) {
        page = await getPage(acme.reader, { size: "250", cursor: page.next });
        seen.push(...page.entries.map((e) => e.id));
      }
    } finally {
      done = true;
      await writer;
    }
    expect(arrived).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expected);
  });

  it("answers each entry in the ingestion API's shape with id, receivedAt and its permalink", async () => {
    const at = Date.now() - 2 * HOUR;
    await ingest(acme.writer, [
      event(500_000, at, {
        description: 'quotes " and \\ and a line\nbreak',
        params: { env: "production", list: [1, 2] },
        before: { version: "1.4.2" },
        after: { version: "1.5.0" },
        error: { code: "image_pull_failed", message: "image not found" },
        userAgent: "kiops-cli/2.3",
      }),
      event(500_001, at - 1000, { actor: null, target: null, ip: null, idempotencyKey: null, requestId: "req_bare" }),
    ]);
    const full = await getPage(acme.reader, { q: "request_id:req_500000" });
    expect(full.entries).toHaveLength(1);
    const entry = full.entries[0]!;
    const [stored] = await testDb.handle.db
      .select({ id: auditLogs.id, receivedAt: auditLogs.receivedAt })
      .from(auditLogs)
      .where(and(eq(auditLogs.orgId, acme.id), eq(auditLogs.requestId, "req_500000")));
    expect(entry).toEqual({
      id: stored!.id,
      occurredAt: new Date(at).toISOString(),
      receivedAt: stored!.receivedAt.toISOString(),
      actor: { id: "u_4", name: "User 4", email: "user4@acme.test" },
      category: "service",
      action: "login",
      description: 'quotes " and \\ and a line\nbreak',
      target: { type: "service", id: "svc_6", name: "checkout-6" },
      result: "failed",
      level: "notice",
      service: "Deployments",
      ip: "203.0.113.7",
      userAgent: "kiops-cli/2.3",
      requestId: "req_500000",
      correlationId: `op_${500_000 % 13}`,
      params: { env: "production", list: [1, 2] },
      before: { version: "1.4.2" },
      after: { version: "1.5.0" },
      error: { code: "image_pull_failed", message: "image not found" },
      idempotencyKey: "evt-500000",
      url: `http://${HOST}/orgs/acme/audit-logs/${stored!.id}`,
    });
    const bare = (await getPage(acme.reader, { q: "request_id:req_bare" })).entries[0]!;
    expect(bare).toMatchObject({ actor: null, target: null, ip: null, error: null, idempotencyKey: null });
  });

  it("takes the explorer's filters and sorts, and pages in every sort without repeating an entry", async () => {
    const failed = await getPage(acme.reader, { result: "failed", type: "auth", size: "1000" });
    expect(failed.entries.length).toBeGreaterThan(0);
    expect(failed.entries.every((e) => e.result === "failed" && e.category === "auth")).toBe(true);
    const byUser = await getPage(acme.reader, { user: "user3@acme.test", size: "1000" });
    expect(byUser.entries.every((e) => e.actor?.email === "user3@acme.test")).toBe(true);

    const [{ n }] = (await queryRows<{ n: number }>(
      testDb.handle.db,
      sql`select count(*)::int as n from audit_logs where org_id = ${acme.id} and action = 'deploy' and occurred_at >= now() - interval '7 days'`,
    )) as [{ n: number }];
    const seen: Entry[] = [];
    let page = await getPage(acme.reader, { q: "action:deploy", sort: "target", dir: "asc", size: "333" });
    seen.push(...page.entries);
    while (page.next) {
      page = await getPage(acme.reader, {
        q: "action:deploy",
        sort: "target",
        dir: "asc",
        size: "333",
        cursor: page.next,
      });
      seen.push(...page.entries);
    }
    expect(seen.length).toBe(n);
    expect(new Set(seen.map((e) => e.id)).size).toBe(n);
    const names = seen.map((e) => e.target?.name ?? "");
    expect(names).toEqual([...names].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : a === b ? 0 : 1)));
  });

  it("streams the whole search as NDJSON with Accept: application/x-ndjson, the same entries as the pages", async () => {
    const query = { q: "action:login", sort: "user", dir: "desc" };
    const paged: Entry[] = [];
    let page = await getPage(acme.reader, { ...query, size: "1000" });
    paged.push(...page.entries);
    while (page.next) {
      page = await getPage(acme.reader, { ...query, size: "1000", cursor: page.next });
      paged.push(...page.entries);
    }
    const response = await get(acme.reader, query, { accept: "application/x-ndjson" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/x-ndjson");
    const text = await response.text();
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.slice(0, -1).split("\n");
    expect(lines.map((line) => JSON.parse(line) as Entry)).toEqual(paged);
    expect(paged.length).toBeGreaterThan(1000);
  });

  it("refuses a write-only key (403) and a missing or wrong key (401), reading nothing", async () => {
    const refused = await get(acme.writer);
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: string; scopes: string[] };
    expect(body.error).toContain("cannot read");
    expect(body.scopes).toEqual(["write"]);
    expect((await get(null)).status).toBe(401);
    expect((await get("ak_wrong")).status).toBe(401);
    // And a read key cannot write.
    expect((await post(acme.reader, [event(700_000, Date.now())])).status).toBe(403);
  });

  it("reads only the key's organization: another organization's entry answers as a missing one", async () => {
    const own = await getPage(globex.reader, { size: "1000" });
    expect(own.entries.map((e) => e.requestId)).toEqual(["req_globex_only"]);
    expect(own.entries[0]!.url).toContain("/orgs/globex/audit-logs/");
    // An Acme entry searched by its request id, with Globex's key: the same answer as an id nobody has.
    const acmeEntry = await get(globex.reader, { q: "request_id:req_7" });
    const missing = await get(globex.reader, { q: "request_id:req_nobody_has" });
    expect(acmeEntry.status).toBe(200);
    expect(await acmeEntry.text()).toBe(await missing.text());
    // A cursor made on Acme's entries is only a position: with Globex's key it reads Globex's entries.
    const acmePage = await getPage(acme.reader, { size: "1" });
    const across = await getPage(globex.reader, { size: "1", cursor: acmePage.next! });
    expect(across.entries.every((e) => e.url.includes("/orgs/globex/"))).toBe(true);
  });

  it("answers 400 naming every bad parameter, instead of dropping it as the explorer does", async () => {
    const cases: [string, string[]][] = [
      ["size=0", ["size"]],
      ["size=1001", ["size"]],
      ["size=ten", ["size"]],
      ["sort=colour&dir=up", ["sort", "dir"]],
      ["period=year", ["period"]],
      ["type=auth,nope", ["type"]],
      ["result=broken", ["result"]],
      ["q=colour:red", ["q"]],
      ["limit=10", ["limit"]],
      ["entry=0", ["entry"]],
      ["cursor=not-a-cursor", ["cursor"]],
      ["period=custom&from=2026-02-30", ["from"]],
      ["tz=Mars/Olympus", ["tz"]],
    ];
    for (const [query, names] of cases) {
      const response = await get(acme.reader, query);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as Problem;
      expect(body.error).toContain("nothing was read");
      expect(
        body.params.map((p) => p.param),
        query,
      ).toEqual(names);
    }
    // A cursor is bound to its search: the same position under another filter is refused.
    const first = await getPage(acme.reader, { size: "5", result: "done" });
    const other = await get(acme.reader, { size: "5", result: "failed", cursor: first.next! });
    expect(other.status).toBe(400);
    expect(((await other.json()) as Problem).params[0]!.message).toContain("another search");
    // Page params mean nothing to a stream of the whole search.
    const stream = await get(acme.reader, { size: "10" }, { accept: "application/x-ndjson" });
    expect(stream.status).toBe(400);
    expect(((await stream.json()) as Problem).params.map((p) => p.param)).toEqual(["size"]);
  });

  it("answers 429 with Retry-After once a key has used its requests, other keys unaffected", async () => {
    overrideEnv({ READ_API_BURST: 3, READ_API_RATE_LIMIT: 6 });
    const key = await newKey(acme.id, ["read"]);
    for (let i = 0; i < 3; i++) expect((await get(key, { size: "1" })).status).toBe(200);
    const limited = await get(key, { size: "1" });
    expect(limited.status).toBe(429);
    // 6 a minute: one request comes back every 10 s.
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(((await limited.json()) as { error: string }).error).toContain("Too many requests");
    expect((await get(await newKey(acme.id, ["read"]), { size: "1" })).status).toBe(200);
  });

  it("writes the reading to the log at most once per key per minute, not once per page", async () => {
    const key = await createApiKey(testDb.handle.db, {
      orgId: acme.id,
      name: "audited",
      createdBy: null,
      scopes: ["read"],
    });
    const readEntries = async () =>
      queryRows<{ n: number }>(
        testDb.handle.db,
        sql`select count(*)::int as n from audit_logs where org_id = ${acme.id} and action = 'read' and target_id = ${key.id}`,
      ).then((rows) => rows[0]!.n);
    let page = await getPage(key.secret, { size: "500" });
    for (let i = 0; i < 3 && page.next; i++) page = await getPage(key.secret, { size: "500", cursor: page.next });
    await Promise.all([getPage(key.secret, { size: "1" }), getPage(key.secret, { size: "1" })]);
    expect(await readEntries()).toBe(1);
    const [entry] = await queryRows<{ category: string; ip: string; service: string; level: string }>(
      testDb.handle.db,
      sql`select category::text, host(ip) as ip, service, level::text from audit_logs where org_id = ${acme.id} and action = 'read' and target_id = ${key.id}`,
    );
    expect(entry).toEqual({ category: "audit", ip: "198.51.100.9", service: "Read API", level: "information" });
    // A minute later (moved back rather than waited for), the next request writes one more.
    await testDb.handle.db
      .update(apiKeys)
      .set({ readLoggedAt: sql`now() - interval '61 seconds'` })
      .where(eq(apiKeys.id, key.id));
    await getPage(key.secret, { size: "1" });
    await getPage(key.secret, { size: "1" });
    expect(await readEntries()).toBe(2);
  });
});
