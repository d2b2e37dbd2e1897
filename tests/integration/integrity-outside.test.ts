import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditLogs, memberships, organizations, permissionGrants, users } from "@/db/schema";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { headerSignatureValid } from "@/lib/integrity/block";
import type { Digests } from "@/lib/integrity/digests";
import { sealNewEntries } from "@/lib/integrity/seal";
import { getSigningKey } from "@/lib/integrity/signing-key";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { untilClockPassesStoredEntries } from "../helpers/arrival-clock";

/*
 * The checks made outside the console: GET /api/v1/integrity/[org] (who may read it, and an API
 * consumer's check of its answer), `npm run integrity:verify` as a process (server database: the
 * command opens its own connection), and the shell commands docs/integrity.md gives auditors.
 */

// The signed-in user of the next request, as Auth.js would answer it.
let sessionUserId: string | null = null;
vi.mock("@/lib/auth/auth", () => ({
  auth: async () =>
    sessionUserId ? { user: { id: sessionUserId }, expires: new Date(Date.now() + 3_600_000).toISOString() } : null,
}));
vi.mock("next-auth", () => ({ AuthError: class extends Error {} }));

const { GET } = await import("@/app/api/v1/integrity/[org]/route");

let testDb: TestDatabase;
let people: { manager: string; member: string; outsider: string };
const db = () => testDb.handle.db;
let org: { id: string; slug: string };
let key: string;
let otherKey: string;
let writeOnlyKey: string;
let ids: string[];
const T0 = Date.UTC(2026, 9, 2, 12);

async function get(slug: string, query = "", authorization: string | null = `Bearer ${key}`) {
  const headers = new Headers();
  if (authorization) headers.set("authorization", authorization);
  const response = await GET(new Request(`http://localhost/api/v1/integrity/${slug}${query}`, { headers }), {
    params: Promise.resolve({ org: slug }),
  });
  return { status: response.status, body: (await response.json()) as Digests & { error?: string } };
}

function consumerCheck(digests: Digests): string[] {
  const problems: string[] = [];
  let prev: string | null = null;
  for (const block of digests.blocks) {
    if (!headerSignatureValid(block.header, block.signature, getSigningKey().publicKey)) {
      problems.push(`block ${block.seq}: signature`);
    }
    if (prev !== null && (JSON.parse(block.header) as { prev: string }).prev !== prev)
      problems.push(`block ${block.seq}: link`);
    prev = block.blockHash;
  }
  for (const p of digests.check?.problems ?? []) problems.push(`block ${p.block}: ${p.kind} ${p.entry ?? ""}`);
  return problems;
}

function verifyCommand(slug: string) {
  return spawnSync("npx", ["tsx", "--conditions=react-server", "scripts/integrity-verify.ts", "--org", slug], {
    env: { ...process.env, DATABASE_URL: testDb.url! },
    encoding: "utf8",
  });
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  const slug = `outside-${randomUUID().slice(0, 8)}`;
  const [row] = await db().insert(organizations).values({ slug, name: slug }).returning({ id: organizations.id });
  org = { id: row!.id, slug };
  const [other] = await db()
    .insert(organizations)
    .values({ slug: `${slug}-other`, name: "Other" })
    .returning({ id: organizations.id });
  const [manager, member, outsider] = await db()
    .insert(users)
    .values(["manager", "member", "outsider"].map((n) => ({ email: `${n}@${slug}.test`, name: n })))
    .returning({ id: users.id });
  people = { manager: manager!.id, member: member!.id, outsider: outsider!.id };
  await db()
    .insert(memberships)
    .values([
      { orgId: org.id, userId: manager!.id, role: "manager" },
      { orgId: org.id, userId: member!.id, role: "member" },
      { orgId: other!.id, userId: outsider!.id, role: "admin" },
    ]);
  // A manager's "by default" is a grant written when the membership is made.
  await db().insert(permissionGrants).values({ orgId: org.id, userId: manager!.id, permission: "audit.view" });
  key = (await createApiKey(db(), { orgId: org.id, name: "auditor", createdBy: null, scopes: ["read"] })).secret;
  writeOnlyKey = (await createApiKey(db(), { orgId: org.id, name: "ingestion", createdBy: null })).secret;
  otherKey = (await createApiKey(db(), { orgId: other!.id, name: "other", createdBy: null, scopes: ["read"] })).secret;
  ids = Array.from({ length: 7 }, () => randomUUID());
  await db()
    .insert(auditLogs)
    .values(
      ids.map((id, i) => ({
        orgId: org.id,
        id,
        occurredAt: new Date(Date.now() - 86_400_000),
        receivedAt: new Date(T0 + i * 1000),
        category: "service" as const,
        action: "deploy",
        result: "done" as const,
        params: { i },
      })),
    );
  await untilClockPassesStoredEntries(testDb.handle.db);
  while ((await sealNewEntries({ blockSize: 3, marginMs: 0 })).entries > 0);
});

afterAll(async () => {
  await testDb?.drop();
});

describe("GET /api/v1/integrity/[org]", () => {
  it("answers the signed digests to a key of the organization; another organization's slug is not found", async () => {
    const { status, body } = await get(org.slug, "?check=1");
    expect(status).toBe(200);
    expect(body.blocks.map((b) => b.count)).toEqual([3, 3, 1]);
    expect(body.publicKey.keyId).toBe(getSigningKey().keyId);
    expect(consumerCheck(body)).toEqual([]);

    const missing = await get("no-such-org");
    const foreign = await get(org.slug, "", `Bearer ${otherKey}`);
    expect(missing).toEqual({ status: 404, body: { error: "No such organization." } });
    expect(foreign).toEqual(missing);
    expect((await get(org.slug, "", "Bearer nope")).status).toBe(401);
    const writeOnly = await get(org.slug, "", `Bearer ${writeOnlyKey}`);
    expect(writeOnly.status).toBe(403);
    expect(writeOnly.body).toEqual({
      error: "This API key has the write scope only; the integrity digests need a key with the read scope.",
    });
    expect((await get(org.slug, "?from=yesterday")).status).toBe(400);
  });

  it("answers a signed-in member with audit.view; a member without it is refused; another organization's admin is not found", async () => {
    try {
      sessionUserId = people.manager;
      expect((await get(org.slug, "", null)).status).toBe(200);
      sessionUserId = people.member;
      expect((await get(org.slug, "", null)).status).toBe(403);
      sessionUserId = people.outsider;
      expect(await get(org.slug, "", null)).toEqual({ status: 404, body: { error: "No such organization." } });
      sessionUserId = null;
      expect((await get(org.slug, "", null)).status).toBe(401);
    } finally {
      sessionUserId = null;
    }
  });

  it("pages by block and filters by period of arrival", async () => {
    const { body } = await get(
      org.slug,
      `?from=${new Date(T0 + 3000).toISOString()}&to=${new Date(T0 + 5000).toISOString()}`,
    );
    expect(body.blocks.map((b) => b.seq)).toEqual([2]);
    const after = await get(org.slug, "?after=2");
    expect(after.body.blocks.map((b) => b.seq)).toEqual([3]);
    expect(after.body.next).toBeNull();
  });
});

describe("checks outside the console", () => {
  it("the auditor's shell commands of docs/integrity.md accept the digests, and refuse an edited header", async () => {
    const docs = readFileSync(path.join(process.cwd(), "docs", "integrity.md"), "utf8");
    const script = /```sh\n(jq -r '\.publicKey\.pem'[\s\S]*?)```/.exec(docs)?.[1];
    expect(script).toBeTruthy();
    const dir = mkdtempSync(path.join(tmpdir(), "integrity-"));
    try {
      const { body } = await get(org.slug);
      writeFileSync(path.join(dir, "digests.json"), JSON.stringify(body));
      const run = () => spawnSync("bash", ["-e", "-c", script!], { cwd: dir, encoding: "utf8" });
      const good = run();
      expect(good.stderr).not.toContain("Failure");
      expect(good.status).toBe(0);
      body.blocks[1]!.header = body.blocks[1]!.header.replace('"count":3', '"count":2');
      writeFileSync(path.join(dir, "digests.json"), JSON.stringify(body));
      expect(run().status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("npm run integrity:verify passes an untouched chain and names the first bad block and entry", async () => {
    // The command opens its own connection: it needs a server database (the embedded test database lives in this process).
    if (!testDb.url) return expect(testDb.handle.kind).toBe("pglite");
    const ok = verifyCommand(org.slug);
    expect(ok.stdout).toContain("OK: every block, signature, link and entry matches.");
    expect(ok.status).toBe(0);

    await db().execute(sql`update audit_logs set action = 'rollback' where id = ${ids[4]!}::uuid`);
    const bad = verifyCommand(org.slug);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(
      `FAILED at block 2, entry ${ids[4]}: block 2: entry ${ids[4]} differs from its sealed form`,
    );
    const { body } = await get(org.slug, "?check=1");
    expect(consumerCheck(body)).toEqual([`block 2: changed ${ids[4]}`]);
  }, 180_000);
});
