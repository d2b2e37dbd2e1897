import "server-only";

import { getTableColumns, sql, type SQL } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { auditLogs } from "@/db/schema";
import type { AuditCategory } from "@/db/schema/enums";

/*
 * One batch is one statement, so one transaction: it either happened completely or not at all.
 * Moving to the archive is a DELETE ... RETURNING feeding an INSERT in the same statement, so a
 * process killed at any point leaves every row in exactly one of the two tables. The archive's
 * ON CONFLICT DO NOTHING on its primary key is a second guard against a duplicate.
 *
 * A batch is bounded by its edge key: the n-th oldest (occurred_at, id) in scope, read first. The
 * DELETE then takes every row in scope up to that key, a plain index range on
 * (org_id, category, occurred_at, id) with partitions pruned by the edge time. (Joining the
 * DELETE to a LIMITed key list instead makes the planner hash-join a sequential scan of the whole
 * table, every batch.)
 */

export interface BatchScope {
  /** Source table: the partitioned parent, or a detached partition. */
  table: string;
  orgId: string;
  category?: AuditCategory;
  /** Exclusive upper bound on occurred_at: the retention cutoff. */
  before?: Date;
}

export interface BatchEdge {
  occurredAt: string;
  id: string;
}

export type CategoryRowCounts = Partial<Record<AuditCategory, number>>;

export interface BatchResult {
  rows: number;
  byCategory: CategoryRowCounts;
  /** Rows the archive already held (the second guard fired). Expected 0. */
  alreadyArchived: number;
}

const COLUMN_NAMES = Object.values(getTableColumns(auditLogs)).map((c) => c.name);
const COLUMN_LIST = sql.join(
  COLUMN_NAMES.map((name) => sql.identifier(name)),
  sql`, `,
);

function scopeWhere(scope: BatchScope, edge: BatchEdge | null, after: BatchEdge | null): SQL {
  const parts: SQL[] = [sql`org_id = ${scope.orgId}::uuid`];
  if (scope.category) parts.push(sql`category = ${scope.category}::audit_category`);
  if (scope.before) parts.push(sql`occurred_at < ${scope.before.toISOString()}::timestamptz`);
  if (after) {
    parts.push(sql`occurred_at >= ${after.occurredAt}::timestamptz`);
    parts.push(sql`(occurred_at, id) > (${after.occurredAt}::timestamptz, ${after.id}::uuid)`);
  }
  if (edge) {
    // The scalar bound lets the planner prune partitions; the row bound is the exact edge.
    parts.push(sql`occurred_at <= ${edge.occurredAt}::timestamptz`);
    parts.push(sql`(occurred_at, id) <= (${edge.occurredAt}::timestamptz, ${edge.id}::uuid)`);
  }
  return sql.join(parts, sql` and `);
}

/**
 * The key of the n-th oldest row in scope after `after`, or null when fewer rows remain (the last
 * batch). Each batch starts after the previous batch's edge: the index entries of the rows just
 * deleted stay until vacuum, and starting from the beginning every time would walk over all of
 * them again (quadratic). A row that arrives behind the edge meanwhile is left to the next run.
 */
export async function nextEdge(
  db: Executor,
  scope: BatchScope,
  batchSize: number,
  after: BatchEdge | null = null,
): Promise<BatchEdge | null> {
  const rows = await queryRows<{ occurred_at: string; id: string }>(
    db,
    sql`select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_at, id::text as id
        from ${sql.identifier(scope.table)}
        where ${scopeWhere(scope, null, after)}
        order by occurred_at, id
        offset ${batchSize - 1} limit 1`,
  );
  const row = rows[0];
  return row ? { occurredAt: row.occurred_at, id: row.id } : null;
}

function tally(rows: { category: string; n: number | string; copied?: number | string }[]): BatchResult {
  const byCategory: CategoryRowCounts = {};
  let total = 0;
  let copied = 0;
  for (const row of rows) {
    const n = Number(row.n);
    byCategory[row.category as AuditCategory] = n;
    total += n;
    copied = Number(row.copied ?? 0);
  }
  return { rows: total, byCategory, alreadyArchived: rows[0]?.copied === undefined ? 0 : total - copied };
}

/** Deletes the rows in scope after `after` up to the edge (all of them without one). */
export async function deleteBatch(
  db: Executor,
  scope: BatchScope,
  edge: BatchEdge | null,
  after: BatchEdge | null = null,
): Promise<BatchResult> {
  const rows = await queryRows<{ category: string; n: number }>(
    db,
    sql`with gone as (
          delete from ${sql.identifier(scope.table)} where ${scopeWhere(scope, edge, after)} returning category
        )
        select category::text as category, count(*)::int as n from gone group by category`,
  );
  return tally(rows);
}

/** Moves the rows in scope after `after` up to the edge into the archive, in one statement. */
export async function moveBatch(
  db: Executor,
  scope: BatchScope,
  edge: BatchEdge | null,
  after: BatchEdge | null = null,
): Promise<BatchResult> {
  const rows = await queryRows<{ category: string; n: number; copied: number }>(
    db,
    sql`with moved as (
          delete from ${sql.identifier(scope.table)} where ${scopeWhere(scope, edge, after)} returning *
        ), copied as (
          insert into audit_logs_archive (${COLUMN_LIST}, archived_at)
          select ${COLUMN_LIST}, now() from moved
          on conflict (org_id, occurred_at, id) do nothing
          returning 1
        )
        select category::text as category, count(*)::int as n, (select count(*) from copied)::int as copied
        from moved group by category`,
  );
  return tally(rows);
}
