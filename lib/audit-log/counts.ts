import "server-only";

import { and, sql, type SQL } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { getReadDb } from "@/db/read-replica";
import type { AuditSelection } from "./selection";
import { auditTableFor } from "./tables";
import { selectionWhere } from "./where";

import { EXACT_COUNT_LIMIT } from "./count-limit";

// Kept here too: the server's readers import it with the count they cap.
export { EXACT_COUNT_LIMIT };

export type MatchCount = { exact: true; count: number } | { exact: false; atLeast: number };

export interface CountOptions {
  /** Count exactly up to this many, else answer "at least cap"; null counts every match. */
  cap?: number | null;
  /** Where to count: by default the read replica when one serves (db/read-replica.ts). */
  db?: Executor;
  /** A further condition beside the selection's own WHERE (e.g. "above this row"). */
  where?: SQL;
}

/**
 * How many entries the selection matches. With a cap, the inner LIMIT stops the scan there, so a
 * page view or an over-large export never pays for a full count.
 */
export async function countMatching(
  selection: AuditSelection,
  { cap = EXACT_COUNT_LIMIT, db = getReadDb(), where: extra }: CountOptions = {},
): Promise<MatchCount> {
  const t = auditTableFor(selection.params.scope);
  const where = extra ? and(selectionWhere(t, selection), extra)! : selectionWhere(t, selection);
  if (cap === null) {
    const [row] = await queryRows<{ n: number | string }>(db, sql`select count(*) as n from ${t} where ${where}`);
    return { exact: true, count: Number(row?.n ?? 0) };
  }
  const limit = Math.max(0, Math.floor(cap));
  const [row] = await queryRows<{ n: number | string }>(
    db,
    sql`select count(*)::int as n from (select 1 from ${t} where ${where} limit ${limit + 1}) as capped`,
  );
  const n = Number(row?.n ?? 0);
  return n > limit ? { exact: false, atLeast: limit } : { exact: true, count: n };
}
