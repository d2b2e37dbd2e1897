import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Executor } from "@/db/client";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * Organizations are the unit of distribution (docs/scaling.md, issue 22): every table that holds an
 * organization's data has org_id, and org_id is a key column of its primary key and of every unique
 * index, and foreign keys between such tables join org_id to org_id, so that a distributed
 * PostgreSQL (Citus) can place each organization's rows on one node and still enforce the keys
 * there. Read from the catalog of the migrated database, on the server
 * and on the embedded one alike.
 */

/** Tables that are not one organization's data, and why. Each must exist; nothing else may lack org_id. */
const GLOBAL_TABLES: Record<string, string> = {
  organizations: "the list of organizations itself (a reference table when distributed)",
  users: "a person signs in once and may belong to several organizations",
  user_preferences: "one person's reading preferences, the same in every organization they belong to",
  auth_throttle: "failed sign-ins per account and address, counted before any organization is known",
  online_indexes: "bookkeeping of the database's own index builds (db/online-indexes.ts), like drizzle's journal",
};

type KeyRow = { table_name: string; index_name: string; kind: string; has_org_id: boolean };
type TableRow = { table_name: string; has_org_id: boolean };

// Partitions are left out: their keys are the parent's, cloned, and the parent is checked.
async function tablesOf(db: Executor, schema: string): Promise<TableRow[]> {
  return queryRows<TableRow>(
    db,
    sql`select c.relname as table_name,
               exists (select 1 from pg_attribute a
                       where a.attrelid = c.oid and a.attname = 'org_id' and a.attnum > 0 and not a.attisdropped) as has_org_id
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind in ('r', 'p') and not c.relispartition
        order by 1`,
  );
}

/** Primary keys, unique indexes and exclusion constraints, and whether org_id is one of their key columns. */
async function keysOf(db: Executor, schema: string): Promise<KeyRow[]> {
  return queryRows<KeyRow>(
    db,
    sql`select c.relname as table_name,
               i.relname as index_name,
               case when x.indisprimary then 'primary key'
                    when con.contype = 'u' then 'unique constraint'
                    when x.indisexclusion then 'exclusion constraint'
                    else 'unique index' end as kind,
               exists (select 1
                       from unnest(x.indkey::int2[]) with ordinality as k(attnum, position)
                       join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
                       where k.position <= x.indnkeyatts and a.attname = 'org_id') as has_org_id
        from pg_index x
        join pg_class c on c.oid = x.indrelid
        join pg_class i on i.oid = x.indexrelid
        join pg_namespace n on n.oid = c.relnamespace
        left join pg_constraint con on con.conindid = x.indexrelid and con.conrelid = c.oid
        where n.nspname = ${schema} and c.relkind in ('r', 'p') and not c.relispartition
          and (x.indisunique or x.indisexclusion)
        order by 1, 2`,
  );
}

type ForeignKeyRow = { table_name: string; constraint_name: string; referenced: string; org_to_org: boolean };

/**
 * Foreign keys between two tables of organization data, and whether they join org_id to org_id:
 * on Citus a foreign key between distributed tables must include the distribution column.
 */
async function foreignKeysOf(db: Executor, schema: string): Promise<ForeignKeyRow[]> {
  return queryRows<ForeignKeyRow>(
    db,
    sql`select c.relname as table_name, con.conname as constraint_name, r.relname as referenced,
               exists (select 1
                       from unnest(con.conkey, con.confkey) as k(attnum, refnum)
                       join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
                       join pg_attribute b on b.attrelid = con.confrelid and b.attnum = k.refnum
                       where a.attname = 'org_id' and b.attname = 'org_id') as org_to_org
        from pg_constraint con
        join pg_class c on c.oid = con.conrelid
        join pg_class r on r.oid = con.confrelid
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and con.contype = 'f' and not c.relispartition
        order by 1, 2`,
  );
}

/** What is wrong with the schema's keys, one sentence per fault; empty when every key is ready. */
async function keyFaults(db: Executor, schema: string): Promise<string[]> {
  const faults: string[] = [];
  const withoutOrgId = new Set<string>();
  for (const table of await tablesOf(db, schema)) {
    if (table.has_org_id || table.table_name in GLOBAL_TABLES) continue;
    withoutOrgId.add(table.table_name);
    faults.push(`table ${table.table_name} has no org_id and is not listed as global`);
  }
  for (const key of await keysOf(db, schema)) {
    // A global table's keys are its own business; a table without org_id is named once above.
    if (key.table_name in GLOBAL_TABLES || withoutOrgId.has(key.table_name)) continue;
    if (!key.has_org_id) faults.push(`${key.kind} ${key.index_name} on ${key.table_name} lacks org_id`);
  }
  for (const fk of await foreignKeysOf(db, schema)) {
    // A reference to a global table (organizations, users) is allowed from anywhere.
    if (fk.table_name in GLOBAL_TABLES || fk.referenced in GLOBAL_TABLES || withoutOrgId.has(fk.table_name)) continue;
    if (!fk.org_to_org)
      faults.push(`foreign key ${fk.constraint_name} from ${fk.table_name} to ${fk.referenced} does not join org_id`);
  }
  return faults;
}

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb?.drop();
});

describe("keys of organization data", () => {
  it("have org_id in every primary key and unique index, and join on it between tables", async () => {
    expect(await keyFaults(testDb.handle.db, "public")).toEqual([]);
  });

  it("lists as global only tables that exist", async () => {
    const names = new Set((await tablesOf(testDb.handle.db, "public")).map((t) => t.table_name));
    expect(Object.keys(GLOBAL_TABLES).filter((name) => !names.has(name))).toEqual([]);
  });

  it("names the keys that lack org_id and the tables that lack it", async () => {
    // The check itself, on a schema made to fail it: a test that cannot fail proves nothing.
    const db = testDb.handle.db;
    await db.execute(sql.raw(`create schema org_keys_probe`));
    try {
      await db.execute(
        sql.raw(`create table org_keys_probe.tokens (
          org_id uuid not null, hash text not null, note text, primary key (hash), unique (org_id, hash))`),
      );
      await db.execute(sql.raw(`create unique index tokens_note_idx on org_keys_probe.tokens (note) include (org_id)`));
      await db.execute(sql.raw(`create table org_keys_probe.things (id uuid primary key)`));
      await db.execute(
        sql.raw(`create table org_keys_probe.uses (org_id uuid not null, hash text not null,
          primary key (org_id, hash), foreign key (hash) references org_keys_probe.tokens (hash))`),
      );
      expect(await keyFaults(db, "org_keys_probe")).toEqual([
        "table things has no org_id and is not listed as global",
        "unique index tokens_note_idx on tokens lacks org_id",
        "primary key tokens_pkey on tokens lacks org_id",
        "foreign key uses_hash_fkey from uses to tokens does not join org_id",
      ]);
    } finally {
      await db.execute(sql.raw(`drop schema org_keys_probe cascade`));
    }
  });
});
