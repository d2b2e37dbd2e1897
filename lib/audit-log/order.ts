import "server-only";

import { sql, type SQL } from "drizzle-orm";
import { actionSortKey, targetSortKey, userSortKey, type auditLogs } from "@/db/schema/audit-logs";
import type { SortDirection, SortKey } from "./search-params";

/*
 * The one order of the audit log, for pages, deep links and exports alike: (sort key, occurred_at,
 * id), all in the same direction. Every index the explorer uses ends in (occurred_at, id), and a
 * page continues after an edge row by a row-value comparison, which PostgreSQL turns into one
 * index range; the same comparison spelled as an OR of columns is not (docs/performance.md).
 */

type T = typeof auditLogs;

/** The position of a row in the order: its sort key (null for time), occurred_at and id. */
export interface KeysetEdge {
  k: string | null;
  /** ISO instant with milliseconds, the column's precision. */
  t: string;
  i: string;
}

/**
 * The leading sort expression, exactly as the matching index spells it; null for time, whose
 * order is (occurred_at, id) alone.
 */
export function sortKeyExpression(t: T, sort: SortKey): SQL | null {
  switch (sort) {
    case "time":
      return null;
    case "user":
      return userSortKey(t);
    case "type":
      return sql`${t.category}`;
    case "action":
      return actionSortKey(t);
    case "target":
      return targetSortKey(t);
    case "result":
      return sql`${t.result}`;
  }
}

// The key as a typed literal, so it compares like the column (enum order, "C" text).
function keyLiteral(sort: SortKey, k: string): SQL {
  if (sort === "type") return sql`${k}::audit_category`;
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
  const key = sortKeyExpression(t, sort);
  return key === null ? sql<null>`null::text` : sql<string>`(${key})::text`;
}

export const flipDirection = (dir: SortDirection): SortDirection => (dir === "asc" ? "desc" : "asc");
