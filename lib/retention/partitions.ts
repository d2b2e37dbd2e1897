import "server-only";

import { sql } from "drizzle-orm";
import { queryRows, type Database } from "@/db/client";
import type { AuditCategory } from "@/db/schema/enums";

/*
 * Whole expired months leave by partition: DETACH, then DROP, instead of deleting row by row.
 *
 * A plain DETACH needs an ACCESS EXCLUSIVE lock on the parent for an instant (CONCURRENTLY is not
 * allowed while a default partition exists, nor inside a transaction). Waiting for that lock
 * behind a long query would queue every explorer query behind the DETACH, so the lock is asked
 * for with a short lock_timeout and retried a few times; a partition that cannot be detached
 * stays, and the row-wise pass removes its rows instead.
 *
 * The detached table is renamed in the same transaction to <parent>_expired_<start>: the name
 * marks it as ours to finish if the process dies before the DROP, and frees the partition's name
 * so audit_ensure_partitions() never mistakes the orphan for an existing partition.
 */

export type AuditParent = "audit_logs" | "audit_logs_archive";

export interface PartitionInfo {
  name: string;
  /** Range [from, to) in epoch milliseconds. */
  from: number;
  to: number;
}

export interface DroppedCounts {
  orgId: string;
  category: AuditCategory;
  rows: number;
}

/** The parent's range partitions (not the default one), oldest first. */
export async function listPartitions(db: Database, parent: AuditParent): Promise<PartitionInfo[]> {
  const rows = await queryRows<{ name: string; from_ms: number | string | null; to_ms: number | string | null }>(
    db,
    sql`select c.relname::text as name,
          (extract(epoch from (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz) * 1000)::float8 as from_ms,
          (extract(epoch from (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz) * 1000)::float8 as to_ms
        from pg_inherits i
        join pg_class c on c.oid = i.inhrelid
        where i.inhparent = to_regclass(${parent})
        order by 2`,
  );
  return rows
    .filter((r) => r.from_ms !== null && r.to_ms !== null)
    .map((r) => ({ name: r.name, from: Number(r.from_ms), to: Number(r.to_ms) }));
}

/** Detached partitions that a run left behind (killed between DETACH and DROP). */
export async function listDetachedLeftovers(db: Database): Promise<{ parent: AuditParent; table: string }[]> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select c.relname::text as name from pg_class c
        where c.relkind = 'r' and not c.relispartition
          and c.relnamespace = to_regnamespace(current_schema())
          and c.relname ~ '^audit_logs(_archive)?_expired_'
        order by 1`,
  );
  return rows.map((r) => ({
    parent: r.name.startsWith("audit_logs_archive_expired_") ? "audit_logs_archive" : "audit_logs",
    table: r.name,
  }));
}

export function expiredTableName(parent: AuditParent, partition: PartitionInfo): string {
  const start = new Date(partition.from).toISOString().slice(0, 10).replaceAll("-", "");
  return `${parent}_expired_${start}`;
}

function isLockTimeout(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "55P03") return true;
  }
  return false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Detaches and renames one partition; false when its lock could not be had quickly. */
export async function detachPartition(
  db: Database,
  parent: AuditParent,
  partition: PartitionInfo,
  options: { lockTimeoutMs: number; attempts: number },
): Promise<string | null> {
  const detachedName = expiredTableName(parent, partition);
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    try {
      await db.transaction(async (tx) => {
        await tx.execute(sql.raw(`set local lock_timeout = '${Math.max(1, Math.floor(options.lockTimeoutMs))}ms'`));
        await tx.execute(sql`alter table ${sql.identifier(parent)} detach partition ${sql.identifier(partition.name)}`);
        await tx.execute(sql`alter table ${sql.identifier(partition.name)} rename to ${sql.identifier(detachedName)}`);
        // The hourly roll-up forgets the partition's hours with it (its bounds are whole UTC months);
        // the triggers that keep it do not see rows leave by a detach.
        if (parent === "audit_logs") {
          await tx.execute(
            sql`delete from audit_log_hourly
                where hour >= ${new Date(partition.from).toISOString()}::timestamptz
                  and hour < ${new Date(partition.to).toISOString()}::timestamptz`,
          );
        }
      });
      return detachedName;
    } catch (error) {
      if (!isLockTimeout(error)) throw error;
      await sleep(200 * attempt);
    }
  }
  return null;
}

/** Counts what a detached table holds per organization and category, and drops it, atomically. */
export async function dropDetached(db: Database, table: string): Promise<DroppedCounts[]> {
  return db.transaction(async (tx) => {
    const rows = await queryRows<{ org_id: string; category: AuditCategory; n: number | string }>(
      tx,
      sql`select org_id::text as org_id, category::text as category, count(*)::int as n
          from ${sql.identifier(table)} group by 1, 2`,
    );
    await tx.execute(sql`drop table ${sql.identifier(table)}`);
    return rows.map((r) => ({ orgId: r.org_id, category: r.category, rows: Number(r.n) }));
  });
}

/** Archive-enabled organizations that still have rows in a detached table. */
export async function orgsWithRows(db: Database, table: string, orgIds: readonly string[]): Promise<string[]> {
  if (orgIds.length === 0) return [];
  const rows = await queryRows<{ org_id: string }>(
    db,
    sql`select distinct org_id::text as org_id from ${sql.identifier(table)}
        where org_id in (${sql.join(
          orgIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
  );
  return rows.map((r) => r.org_id);
}
