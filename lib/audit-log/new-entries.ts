import "server-only";

import { and, sql } from "drizzle-orm";
import { getDb, queryRows } from "@/db/client";
import type { MatchCount } from "./counts";
import { keysetAfter } from "./order";
import type { AuditSelection } from "./selection";
import type { NewestShown } from "./types";
import { asLiveShape, auditTableFor } from "./tables";
import { selectionWhere } from "./where";

/** Beyond this many the bar says "more than": it is a prompt to reload, not a figure to audit. */
export const NEW_ENTRIES_CAP = 99;

/**
 * How many entries of the search would now be listed above `newest` in the default order (newest
 * first): the same WHERE as the page, plus one row-value comparison on (occurred_at, id), so the
 * read is an index range from the top of the organization's log down to the shown row, stopped at
 * the cap. With nothing shown (an empty result), every match counts.
 */
export async function countNewerEntries(
  selection: AuditSelection,
  newest: NewestShown | null,
  cap: number = NEW_ENTRIES_CAP,
): Promise<MatchCount> {
  const table = auditTableFor(selection.params.scope);
  const t = asLiveShape(table);
  const where = selectionWhere(table, selection);
  const after = newest ? keysetAfter(t, "time", "asc", { k: null, t: newest.occurredAt, i: newest.id }) : undefined;
  const limit = Math.max(0, Math.floor(cap));
  const [row] = await queryRows<{ n: number }>(
    getDb(),
    sql`select count(*)::int as n from (select 1 from ${t} where ${and(where, after)} limit ${limit + 1}) as capped`,
  );
  const n = Number(row?.n ?? 0);
  return n > limit ? { exact: false, atLeast: limit } : { exact: true, count: n };
}
