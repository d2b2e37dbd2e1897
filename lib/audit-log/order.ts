import "server-only";

import { and, eq, sql, type SQL } from "drizzle-orm";
import { actionSortKey, targetSortKey, userSortKey, type auditLogs } from "@/db/schema/audit-logs";
import { auditCategory, type AuditCategory } from "@/db/schema/enums";
import { CATEGORY_LABELS } from "./labels";
import type { SortDirection, SortKey } from "./search-params";

/*
 * The one order of the audit log, for pages, deep links and exports alike: (sort key, occurred_at,
 * id), all in the same direction. Every index the explorer uses ends in (occurred_at, id), and a
 * page continues after an edge row by a row-value comparison, which PostgreSQL turns into one
 * index range; the same comparison spelled as an OR of columns is not (docs/performance.md).
 *
 * Types sort by their labels (Audit, Auth, Backup, …), not by the enum's internal order. A label
 * rank spelled as CASE in ORDER BY matches no index. EXPLAIN ANALYZE on PGlite (40,000 seeded
 * entries, an organization's 30 days, a page of 51): ORDER BY category reads 51 rows by index-only
 * scans (0.8 ms); ORDER BY the CASE rank seq-scans all 20,605 rows of the period into a top-N
 * heapsort (1,334 ms, on a loaded machine); a UNION ALL of one LIMITed branch per category runs
 * all 16 branches into a sort (816 rows read); one category's (occurred_at, id) order reads 51 rows
 * by index-only scans (0.4 ms). So pages, deep links and the read API read the type sort category
 * by category in label order, each through the existing (org_id, category, occurred_at, id)
 * index, stopping when the page is full (readInOrder): no new index, no migration, and at most one
 * empty index probe per category more than the enum order. Exports read every matching row
 * anyway: they keep one statement and order by the rank (orderClause), paying for a sort.
 */

type T = typeof auditLogs;

/** The categories in the order of their labels: the type sort's ascending order. */
export const CATEGORY_SORT_ORDER: readonly AuditCategory[] = [...auditCategory.enumValues].sort((a, b) =>
  CATEGORY_LABELS[a].localeCompare(CATEGORY_LABELS[b], "en"),
);

// Constants from the enum, never input: safe to write into the statement as they are.
function categoryRank(t: T): SQL {
  const cases = CATEGORY_SORT_ORDER.map((code, rank) => `when '${code}' then ${rank}`).join(" ");
  return sql`(case ${t.category} ${sql.raw(cases)} end)`;
}

/** The position of a row in the order: its sort key (null for time), occurred_at and id. */
export interface KeysetEdge {
  k: string | null;
  /** ISO instant with milliseconds, the column's precision. */
  t: string;
  i: string;
}

/**
 * The leading sort expression, exactly as the matching index spells it (the type sort's label
 * rank has no index: see above); null for time, whose order is (occurred_at, id) alone.
 */
export function sortKeyExpression(t: T, sort: SortKey): SQL | null {
  switch (sort) {
    case "time":
      return null;
    case "user":
      return userSortKey(t);
    case "type":
      return categoryRank(t);
    case "action":
      return actionSortKey(t);
    case "target":
      return targetSortKey(t);
    case "result":
      return sql`${t.result}`;
  }
}

// The key as a typed literal, so it compares like the expression (label rank, enum order, "C" text).
function keyLiteral(sort: SortKey, k: string): SQL {
  if (sort === "type") return sql.raw(String(CATEGORY_SORT_ORDER.indexOf(k as AuditCategory)));
  if (sort === "result") return sql`${k}::audit_result`;
  return sql`${k}::text`;
}

/** ORDER BY terms: (sort key, occurred_at, id) in `dir`. */
export function orderTerms(t: T, sort: SortKey, dir: SortDirection): SQL[] {
  const key = sortKeyExpression(t, sort);
  const d = sql.raw(dir);
  const columns: SQL[] =
    key === null ? [sql`${t.occurredAt}`, sql`${t.id}`] : [key, sql`${t.occurredAt}`, sql`${t.id}`];
  return columns.map((c) => sql`${c} ${d}`);
}

export function orderClause(t: T, sort: SortKey, dir: SortDirection): SQL {
  return sql.join(orderTerms(t, sort, dir), sql`, `);
}

/** Rows strictly after `edge` when read in `dir` order: one row-value comparison. */
export function keysetAfter(t: T, sort: SortKey, dir: SortDirection, edge: KeysetEdge): SQL {
  const key = sortKeyExpression(t, sort);
  const op = sql.raw(dir === "desc" ? "<" : ">");
  const at = sql`${edge.t}::timestamptz`;
  const id = sql`${edge.i}::uuid`;
  if (key === null || edge.k === null) return sql`(${t.occurredAt}, ${t.id}) ${op} (${at}, ${id})`;
  return sql`(${key}, ${t.occurredAt}, ${t.id}) ${op} (${keyLiteral(sort, edge.k)}, ${at}, ${id})`;
}

/** The row's sort key as text (null for time), selected beside it so a cursor can be made. */
export function sortKeyText(t: T, sort: SortKey): SQL<string | null> {
  if (sort === "type") return sql<string>`(${t.category})::text`;
  const key = sortKeyExpression(t, sort);
  return key === null ? sql<null>`null::text` : sql<string>`(${key})::text`;
}

export const flipDirection = (dir: SortDirection): SortDirection => (dir === "asc" ? "desc" : "asc");

/** One query of a listing: rows matching `condition` (beside the caller's own WHERE) in `order`. */
export type OrderedRead<R> = (condition: SQL | undefined, order: SQL[], limit: number) => Promise<R[]>;

/**
 * Up to `limit` rows after `edge` (exclusive) in the listing's order, through `read`. Every sort
 * but type is one query. The type sort reads one category at a time in label order (reversed for
 * desc), starting at the edge's category, each in (occurred_at, id) order through the category
 * index, until the page is full: usually one or two queries, at most one index probe per
 * category. `only` skips categories a filter excludes.
 */
export async function readInOrder<R>(
  t: T,
  sort: SortKey,
  dir: SortDirection,
  edge: KeysetEdge | null,
  limit: number,
  read: OrderedRead<R>,
  only: readonly AuditCategory[] = [],
): Promise<R[]> {
  if (sort !== "type") return read(edge ? keysetAfter(t, sort, dir, edge) : undefined, orderTerms(t, sort, dir), limit);
  const inLabelOrder = dir === "asc" ? CATEGORY_SORT_ORDER : [...CATEGORY_SORT_ORDER].reverse();
  const categories = only.length > 0 ? inLabelOrder.filter((c) => only.includes(c)) : inLabelOrder;
  const edgeAt = edge?.k ? categories.indexOf(edge.k as AuditCategory) : -1;
  // An edge in a category the filter leaves out: continue with the next one in label order.
  const startAt =
    edge?.k && edgeAt === -1 ? nextCategoryIndex(categories, edge.k as AuditCategory, dir) : Math.max(edgeAt, 0);
  const timeOrder = orderTerms(t, "time", dir);
  const rows: R[] = [];
  for (let i = startAt; i < categories.length && rows.length < limit; i++) {
    const inCategory = eq(t.category, categories[i]!);
    const condition = edge && i === edgeAt ? and(inCategory, keysetAfter(t, "time", dir, edge)) : inCategory;
    rows.push(...(await read(condition, timeOrder, limit - rows.length)));
  }
  return rows;
}

function nextCategoryIndex(categories: readonly AuditCategory[], k: AuditCategory, dir: SortDirection): number {
  const rank = CATEGORY_SORT_ORDER.indexOf(k);
  const later = categories.findIndex((c) =>
    dir === "asc" ? CATEGORY_SORT_ORDER.indexOf(c) > rank : CATEGORY_SORT_ORDER.indexOf(c) < rank,
  );
  return later === -1 ? categories.length : later;
}
