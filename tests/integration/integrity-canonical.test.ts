import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import fc from "fast-check";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, queryRows, type DatabaseHandle, type Executor } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { organizations } from "@/db/schema";
import { auditCategory, auditLevel, auditResult } from "@/db/schema/enums";
import { encodeLeaves } from "@/lib/integrity/block";
import {
  canonicalize,
  canonicalSelectList,
  leafHashSql,
  readLeafRecord,
  type CanonicalRow,
} from "@/lib/integrity/canonical";
import { leafOf } from "@/lib/integrity/seal";
import { leafHash } from "@/lib/integrity/merkle";
import { createTestDatabase, serverTestUrl, type TestDatabase } from "../helpers/test-database";

/*
 * The canonical form (docs/integrity.md) must be the same bytes for the same stored entry
 * wherever it is read: on the server database, in the embedded PGlite, and after a dump and
 * restore of either (pg_dump and psql for the server, the data folder's dump for PGlite). Entries
 * are generated with awkward values: any Unicode text, JSON with big, fractional and exponent
 * numbers and keys in any order, IPv4 and IPv6 with and without masks, millisecond times.
 */

let main: TestDatabase;
let embedded: DatabaseHandle;
const ORG = randomUUID();

// PostgreSQL stores neither NUL nor unpaired surrogates (the ingestion API refuses them too).
// Beside any graphemes, the characters a JSON writer escapes (or might): quotes, backslashes,
// control characters, DEL, the JavaScript line separators and a character outside the BMP.
const awkward = fc.constantFrom(
  '"',
  "\\",
  "\u0001",
  "\b",
  "\f",
  "\n",
  "\r",
  "\t",
  "\u001f",
  "\u007f",
  "\u2028",
  "/",
  "😀",
);
const text = fc
  .array(fc.oneof(fc.string({ unit: "grapheme", maxLength: 4 }), awkward), { maxLength: 5 })
  .map((parts) => parts.join("").replace(/\u0000/g, ""));
const jsonText = fc
  .tuple(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v).replace(/\\u0000/g, "")),
    fc.constantFrom("12345678901234567890", "1.50", "1e3", "-0", "0.1", "3.000000000000000000001"),
  )
  .map(([value, number]) => `{"z": ${value}, "a": ${number}, "nested": {"b": [${number}, ${value}]}}`);
const ip = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4().map((a) => `${a.split(".").slice(0, 2).join(".")}.0.0/16`),
);
const entry = fc.record({
  id: fc.uuid({ version: 4 }),
  occurredAt: fc.date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true }),
  receivedAt: fc.date({ min: new Date("2020-01-01"), max: new Date("2030-12-31"), noInvalidDate: true }),
  actorName: fc.option(text, { nil: null }),
  category: fc.constantFrom(...auditCategory.enumValues),
  action: text.map((s) => s || "act"),
  description: fc.option(text, { nil: null }),
  result: fc.constantFrom(...auditResult.enumValues),
  level: fc.constantFrom(...auditLevel.enumValues),
  ip: fc.option(ip, { nil: null }),
  params: fc.option(jsonText, { nil: null }),
  idempotencyKey: fc.option(text, { nil: null }),
});
type Entry = typeof entry extends fc.Arbitrary<infer T> ? T : never;

async function insert(db: Executor, e: Entry): Promise<void> {
  await db.execute(sql`
    insert into audit_logs (org_id, id, occurred_at, received_at, actor_name, category, action, description,
                            result, level, ip, params, idempotency_key)
    values (${ORG}::uuid, ${e.id}::uuid, ${e.occurredAt.toISOString()}::timestamptz,
            ${e.receivedAt.toISOString()}::timestamptz, ${e.actorName}, ${e.category}, ${e.action}, ${e.description},
            ${e.result}, ${e.level}, ${e.ip}::inet, ${e.params}::jsonb, ${e.idempotencyKey})`);
}

async function canonicalLines(db: Executor, ids?: readonly string[]): Promise<string[]> {
  const only = ids ? sql`and id = any(${`{${ids.join(",")}}`}::uuid[])` : sql``;
  const rows = await queryRows<CanonicalRow>(
    db,
    sql`select ${canonicalSelectList()} from audit_logs where org_id = ${ORG}::uuid ${only} order by id`,
  );
  return rows.map(canonicalize);
}

beforeAll(async () => {
  main = await createTestDatabase();
  embedded = createDatabase({ dataDir: "memory://" });
  await runMigrations(embedded);
  for (const db of [main.handle.db, embedded.db]) {
    await db.insert(organizations).values({ id: ORG, slug: "canonical", name: "Canonical" });
  }
});

afterAll(async () => {
  await embedded?.close();
  await main?.drop();
});

describe("the canonical form", () => {
  it("is the same on the test database and on the embedded database", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), async (entries) => {
        const fresh = entries.map((e) => ({ ...e, id: randomUUID() }));
        for (const e of fresh) {
          await insert(main.handle.db, e);
          await insert(embedded.db, e);
        }
        const ids = fresh.map((e) => e.id);
        const [a, b] = [await canonicalLines(main.handle.db, ids), await canonicalLines(embedded.db, ids)];
        expect(a).toEqual(b);
        for (const line of a) expect(() => JSON.parse(line) as unknown).not.toThrow();
      }),
      { numRuns: 25 },
    );
  });

  it("hashed by the database (sealing) gives the leaf that the console's own serialization gives (verification), on both databases", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), async (entries) => {
        const fresh = entries.map((e) => ({ ...e, id: randomUUID() }));
        const ids = `{${fresh.map((e) => e.id).join(",")}}`;
        for (const db of [main.handle.db, embedded.db]) {
          for (const e of fresh) await insert(db, e);
          const rows = await queryRows<CanonicalRow & { leaf: string }>(
            db,
            sql`select ${canonicalSelectList()}, ${leafHashSql()} as leaf
                from audit_logs where org_id = ${ORG}::uuid and id = any(${ids}::uuid[])`,
          );
          expect(rows).toHaveLength(fresh.length);
          for (const row of rows) expect(row.leaf).toBe(leafHash(canonicalize(row)).toString("hex"));
        }
      }),
      { numRuns: 25 },
    );
  });

  it("written into the record of leaves by the database (sealing) gives encodeLeaves() of the console's leaves, on both databases", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 8 }), async (entries) => {
        const fresh = entries.map((e) => ({ ...e, id: randomUUID() }));
        const ids = `{${fresh.map((e) => e.id).join(",")}}`;
        const only = sql`id = any(${ids}::uuid[])`;
        for (const db of [main.handle.db, embedded.db]) {
          for (const e of fresh) await insert(db, e);
          const batch = await db.transaction((tx) => readLeafRecord(tx, ORG, only, fresh.length));
          const rows = await queryRows<CanonicalRow>(
            db,
            sql`select ${canonicalSelectList()} from audit_logs
                where org_id = ${ORG}::uuid and ${only} order by audit_logs.received_at, audit_logs.id`,
          );
          expect(batch?.count).toBe(fresh.length);
          expect(batch!.record.equals(encodeLeaves(rows.map(leafOf)))).toBe(true);
          expect(batch!.first.id).toBe(rows[0]!.id);
          expect(batch!.last).toEqual({ id: rows.at(-1)!.id, receivedAt: rows.at(-1)!.received_at });
        }
      }),
      { numRuns: 25 },
    );
  });

  it("survives a dump and restore of the embedded database", async () => {
    const before = await canonicalLines(embedded.db);
    expect(before.length).toBeGreaterThan(0);
    if (embedded.kind !== "pglite") throw new Error("expected PGlite");
    const dump = await embedded.client.dumpDataDir("gzip");
    const restored = new PGlite({ loadDataDir: dump, extensions: { pg_trgm } });
    try {
      expect(await canonicalLines(drizzle(restored) as unknown as Executor)).toEqual(before);
    } finally {
      await restored.close();
    }
  });

  it("survives pg_dump and a restore with psql, when the tests run on a server", async () => {
    const url = main.url;
    const base = serverTestUrl();
    // On the embedded database this file compares two PGlite instances; the server part needs one.
    if (!url || !base) return expect(serverTestUrl()).toBeUndefined();
    const before = await canonicalLines(main.handle.db);
    const name = `audit_restore_${randomBytes(6).toString("hex")}`;
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const target = new URL(base);
    target.pathname = `/${name}`;
    try {
      const dump = execFileSync("pg_dump", ["--no-owner", url], { maxBuffer: 256 * 1024 * 1024 });
      execFileSync("psql", ["-q", "-v", "ON_ERROR_STOP=1", target.toString()], {
        input: dump,
        stdio: ["pipe", "ignore", "inherit"],
      });
      const restored = createDatabase({ url: target.toString(), maxConnections: 1 });
      try {
        expect(await canonicalLines(restored.db)).toEqual(before);
      } finally {
        await restored.close();
      }
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
