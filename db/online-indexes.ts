import "server-only";

import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type postgres from "postgres";
import { queryRows, type DatabaseHandle } from "./client";

/*
 * Indexes on the audit log that are built without stopping writers (issue 22: migration 0002 held
 * a lock for 5 minutes at 10M entries). A plain CREATE INDEX on the partitioned audit log holds a
 * SHARE lock on every partition for the whole build: each insert waits until the build ends.
 * Here, on a server database, each partition's index is built with CREATE INDEX CONCURRENTLY
 * (inserts go on), then the parent's index is created ON ONLY the parent (metadata, no rows) and
 * each partition's index is attached to it; the parent's index becomes valid with the last one.
 * tests/integration/online-indexes.test.ts measures both while inserts go on.
 *
 * It runs after the SQL migrations (runMigrations), outside any transaction, which CONCURRENTLY
 * requires. It is idempotent and resumable: what exists is kept, an index left INVALID by a build
 * that was interrupted (a crash, a cancelled statement) is dropped and built again, and the
 * online_indexes table records when each build started and finished. Processes that migrate at
 * the same time take turns on an advisory lock; the second finds the work done.
 *
 * The embedded database (PGlite) has one connection and nobody to wait: a plain CREATE INDEX.
 *
 * How to add an index on the audit log: declare it in db/schema/audit-logs.ts as usual, run
 * `npm run db:generate`, delete the CREATE INDEX statements drizzle-kit wrote into the new SQL
 * migration for audit_logs / audit_logs_archive (keep the snapshot), and add the index here with
 * the same name and definition. Columns are added without rewriting the table: nullable, or with
 * a constant default (PostgreSQL 11+ stores it in the catalog), never a volatile default, and no
 * type change of an existing column; a NOT NULL on an existing column goes through a CHECK
 * constraint added NOT VALID and validated in a later statement. docs/scaling.md, section 5.
 */

export interface OnlineIndex {
  /** The parent's index name; each partition's is `<partition>_<this name without the parent's prefix>`. */
  name: string;
  /**
   * The table: the partitioned audit log, or the hourly roll-up that ingestion's triggers write
   * (not partitioned: one CREATE INDEX CONCURRENTLY).
   */
  parent: "audit_logs" | "audit_logs_archive" | "audit_log_hourly";
  /** What follows `ON <table>`: `USING btree (org_id, …)`, optionally a `WHERE …`. */
  definition: string;
}

/** The indexes built online, in order (the ones up to migration 0019 are in the SQL migrations). */
export const ONLINE_INDEXES: readonly OnlineIndex[] = [
  {
    // The histogram and facets of the default view read a week of one organization's roll-up rows
    // (9,120 at 10M entries), scattered over ~1,900 heap pages by interleaved writes and folds:
    // a bitmap heap scan of 35 ms there, an index-only scan of 4-7 ms with this index.
    name: "audit_log_hourly_org_hour_cover_idx",
    parent: "audit_log_hourly",
    definition: "using btree (org_id, hour) include (category, result, level, n)",
  },
];

export type OnlineIndexOutcome = "built" | "present";

// One process builds at a time; the key is any constant of this application's own.
const ADVISORY_LOCK_KEY = 0x61756469; // "audi"
// DDL that needs a lock writers also need (the parent's ON ONLY index, attaching a partition's
// index) gives up after this long and tries again, so an insert never queues longer behind it.
const SHORT_LOCK_TIMEOUT = "300ms";
const SHORT_LOCK_ATTEMPTS = 50;

export async function buildOnlineIndexes(
  handle: DatabaseHandle,
  indexes: readonly OnlineIndex[] = ONLINE_INDEXES,
): Promise<Map<string, OnlineIndexOutcome>> {
  const outcomes = new Map<string, OnlineIndexOutcome>();
  if (indexes.length === 0) return outcomes;
  if (handle.kind === "pglite") {
    for (const index of indexes) outcomes.set(index.name, await buildPlain(handle, index));
    return outcomes;
  }
  const connection = await handle.sql.reserve();
  try {
    await connection`select pg_advisory_lock(${ADVISORY_LOCK_KEY})`;
    try {
      for (const index of indexes) outcomes.set(index.name, await buildConcurrently(connection, index));
    } finally {
      await connection`select pg_advisory_unlock(${ADVISORY_LOCK_KEY})`;
    }
  } finally {
    connection.release();
  }
  return outcomes;
}

async function buildPlain(handle: DatabaseHandle, index: OnlineIndex): Promise<OnlineIndexOutcome> {
  const db = handle.db;
  const [row] = await queryRows<{ finished: boolean }>(
    db,
    sql`select finished_at is not null as finished from online_indexes where name = ${index.name}`,
  );
  if (row?.finished && (await queryRows(db, sql`select 1 from pg_class where relname = ${index.name}`)).length > 0)
    return "present";
  await db.execute(sql`insert into online_indexes (name, parent, definition) values (${index.name}, ${index.parent}, ${index.definition})
    on conflict (name) do update set parent = excluded.parent, definition = excluded.definition, finished_at = null`);
  await db.execute(
    sql.raw(`create index if not exists ${ident(index.name)} on ${ident(index.parent)} ${index.definition}`),
  );
  await db.execute(sql`update online_indexes set finished_at = now() where name = ${index.name}`);
  return "built";
}

type Connection = postgres.ReservedSql;

async function buildConcurrently(connection: Connection, index: OnlineIndex): Promise<OnlineIndexOutcome> {
  const [row] = await connection<{ finished: boolean }[]>`
    select finished_at is not null as finished from online_indexes where name = ${index.name}`;
  if (row?.finished && (await parentIndexValid(connection, index.name))) return "present";
  await connection`
    insert into online_indexes (name, parent, definition) values (${index.name}, ${index.parent}, ${index.definition})
    on conflict (name) do update set parent = excluded.parent, definition = excluded.definition, finished_at = null`;

  if (!(await isPartitioned(connection, index.parent))) {
    await buildOnTable(connection, index);
    await connection`update online_indexes set finished_at = now() where name = ${index.name}`;
    return "built";
  }

  // A partition created while this runs gets the parent's index by itself once the parent's
  // exists; one created before that, after the list was read, is found by the next round.
  for (let round = 1; round <= 5; round++) {
    const partitions = await partitionsOf(connection, index.parent);
    const attached = await attachedPartitions(connection, index.name);
    const children: { partition: string; child: string }[] = [];
    for (const partition of partitions) {
      if (attached.has(partition)) continue;
      const child = childIndexName(partition, index);
      const [state] = await connection<{ valid: boolean }[]>`
        select x.indisvalid as valid from pg_index x where x.indexrelid = to_regclass(${child})`;
      if (state && !state.valid) {
        // Left by a concurrent build that did not finish: it is maintained by writers but unusable.
        await connection.unsafe(`drop index concurrently if exists ${ident(child)}`);
      }
      if (!state?.valid) {
        await connection.unsafe(
          `create index concurrently if not exists ${ident(child)} on ${ident(partition)} ${index.definition}`,
        );
      }
      children.push({ partition, child });
    }
    await withShortLocks(
      connection,
      `create index if not exists ${ident(index.name)} on only ${ident(index.parent)} ${index.definition}`,
    );
    for (const { child } of children) {
      await withShortLocks(connection, `alter index ${ident(index.name)} attach partition ${ident(child)}`);
    }
    if (await parentIndexValid(connection, index.name)) {
      await connection`update online_indexes set finished_at = now() where name = ${index.name}`;
      return "built";
    }
  }
  throw new Error(`the index ${index.name} on ${index.parent} is still not valid after 5 rounds of partitions`);
}

async function isPartitioned(connection: Connection, table: string): Promise<boolean> {
  const [row] = await connection<
    { kind: string }[]
  >`select relkind as kind from pg_class where oid = to_regclass(${table})`;
  if (!row) throw new Error(`the table ${table} of an online index does not exist`);
  return row.kind === "p";
}

/** A table that is not partitioned: one concurrent build, after dropping what an interrupted one left. */
async function buildOnTable(connection: Connection, index: OnlineIndex): Promise<void> {
  const [state] = await connection<{ valid: boolean }[]>`
    select x.indisvalid as valid from pg_index x where x.indexrelid = to_regclass(${index.name})`;
  if (state?.valid) return;
  if (state) await connection.unsafe(`drop index concurrently if exists ${ident(index.name)}`);
  await connection.unsafe(
    `create index concurrently if not exists ${ident(index.name)} on ${ident(index.parent)} ${index.definition}`,
  );
}

async function partitionsOf(connection: Connection, parent: string): Promise<string[]> {
  const rows = await connection<{ name: string; kind: string }[]>`
    select c.relname as name, c.relkind as kind
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = to_regclass(${parent})
    order by c.relname`;
  const nested = rows.find((r) => r.kind !== "r");
  if (nested) throw new Error(`${parent}'s partition ${nested.name} is partitioned itself: not supported here`);
  return rows.map((r) => r.name);
}

/** The partitions whose index is already attached to the parent's (made with a partition created after it). */
async function attachedPartitions(connection: Connection, parentIndex: string): Promise<Set<string>> {
  const rows = await connection<{ name: string }[]>`
    select t.relname as name
    from pg_inherits i
    join pg_index x on x.indexrelid = i.inhrelid
    join pg_class t on t.oid = x.indrelid
    where i.inhparent = to_regclass(${parentIndex})`;
  return new Set(rows.map((r) => r.name));
}

async function parentIndexValid(connection: Connection, name: string): Promise<boolean> {
  const [row] = await connection<{ valid: boolean }[]>`
    select x.indisvalid as valid from pg_index x where x.indexrelid = to_regclass(${name})`;
  return row?.valid === true;
}

/*
 * A statement that needs a lock inserts also take: it waits at most SHORT_LOCK_TIMEOUT for it (an
 * insert that arrives meanwhile queues behind it no longer than that), then steps aside and tries
 * again a moment later.
 */
async function withShortLocks(connection: Connection, statement: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await connection.unsafe(`set lock_timeout = '${SHORT_LOCK_TIMEOUT}'`);
    try {
      await connection.unsafe(statement);
      return;
    } catch (error) {
      const lockNotAvailable = (error as { code?: unknown }).code === "55P03";
      if (!lockNotAvailable || attempt >= SHORT_LOCK_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * Math.min(attempt, 10)));
    } finally {
      await connection.unsafe(`reset lock_timeout`);
    }
  }
}

export function childIndexName(partition: string, index: OnlineIndex): string {
  const suffix = index.name.startsWith(`${index.parent}_`) ? index.name.slice(index.parent.length + 1) : index.name;
  const name = `${partition}_${suffix}`;
  if (name.length <= 63) return name;
  // PostgreSQL cuts names at 63 bytes; two long names must not end up the same.
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, 54)}_${hash}`;
}

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
