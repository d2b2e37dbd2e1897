import "server-only";

import { and, asc, eq, getTableName, sql, type SQL } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { getReadDb } from "@/db/read-replica";
import { actionSortKey, targetSortKey, userSortKey, type AuditLogTable } from "@/db/schema/audit-logs";
import { encodeCursor, isUuid, type CursorDirection, type CursorPayload } from "./cursor";
import type { AuditCategory } from "@/db/schema/enums";
import { flipDirection, readInOrder, sortKeyText, type KeysetEdge } from "./order";
import { detailColumns, isoTime, summaryColumns, toDetails, toSummary, type DetailRow, type SummaryRow } from "./rows";
import { readCursor, type ExplorerParams, type SortDirection, type SortKey } from "./search-params";
import type { AuditSelection } from "./selection";
import { asLiveShape, auditTableFor, type LiveShape } from "./tables";
import type { AuditEntryDetails, AuditEntrySummary, TimelineStep } from "./types";
import { buildFilterParts, selectionWhere, type FilterPart } from "./where";

/*
 * Pages, deep links and single entries. Listing is keyset-only (order.ts): no OFFSET, and no
 * count here (counts.ts caps it). They read from the read replica when one serves (`db`, by
 * default getReadDb()); load-explorer.ts reads a deep link the replica lacks from the primary.
 */

type T = LiveShape;

export interface AuditPage {
  entries: AuditEntrySummary[];
  /** Continue after the last entry; null when there is none. */
  nextCursor: string | null;
  /** Continue before the first entry; null on the first page. */
  prevCursor: string | null;
  hasNext: boolean;
  hasPrev: boolean;
  /** The place of the page's first entry in the listing (1 on the first page); null when unknown. */
  firstPosition: number | null;
}

export type LocateResult =
  | { status: "found"; page: AuditPage }
  | { status: "outside-filters"; entry: AuditEntryDetails; excludedBy: FilterPart[] }
  | { status: "not-found" };

type ListedRow = SummaryRow & { sortKey: string | null };

/**
 * What a listing reads: `where`, the whole selection; `newest`, when a free word of 3+ characters
 * narrows the rows in time order, the rows it narrows: the organization within the period.
 * Qualifiers alone are left to the planner: their btree indexes hold the time order.
 */
interface Matching {
  where: SQL;
  newest: SQL | null;
}

function matchingOf(t: T, selection: AuditSelection): Matching {
  const { params, search, orgId } = selection;
  const where = selectionWhere(t, selection);
  const byWord = params.sort === "time" && search.terms.some((term) => !term.negated && term.length >= 3);
  if (!byWord) return { where, newest: null };
  return { where, newest: and(eq(t.orgId, orgId), buildFilterParts(t, params, search).period)! };
}

/*
 * A search read in time order walks the (org_id, occurred_at, id) index from the page's edge and
 * tests each row until it has a page of matches: fast for a word the newest rows hold, a read of
 * every row in between for one they lack. At 10M entries, while 2,000 events/s without "sendgrid"
 * arrived, its page took 66 ms with 9,500 of them stored and 207 ms with 117,500 (2026-12-07,
 * docs/performance.md). So the walk stops after this many rows; when they hold fewer than a page
 * of matches, the matches are read through the indexes that serve the search (the trigram index's
 * bitmap) and sorted, which costs the matches, not the rows between them (15 ms for "sendgrid"
 * with 280,000 such rows stored, against 202 ms for the walk).
 */
export const NEWEST_ROWS_WALKED = 10_000;

/**
 * Up to `limit` rows in `dir` order, starting after `edge` (exclusive) in that order. Reading
 * backwards is the same query with the direction flipped. The type sort reads category by
 * category in label order (order.ts, readInOrder); `categories` are those the type filter keeps.
 */
async function fetchRows(
  db: Executor,
  t: T,
  matching: Matching,
  sort: SortKey,
  dir: SortDirection,
  edge: KeysetEdge | null,
  limit: number,
  categories: readonly AuditCategory[] = [],
): Promise<ListedRow[]> {
  const select = () => db.select({ ...summaryColumns(t), sortKey: sortKeyText(t, sort) });
  return readInOrder(
    t,
    sort,
    dir,
    edge,
    limit,
    async (condition, order, n) => {
      const where = condition ? and(matching.where, condition)! : matching.where;
      if (!matching.newest)
        return select()
          .from(t)
          .where(where)
          .orderBy(...order)
          .limit(n);
      const newest = db
        .select()
        .from(t)
        .where(condition ? and(matching.newest, condition) : matching.newest)
        .orderBy(...order)
        .limit(NEWEST_ROWS_WALKED);
      // Named as the table, so the selection's conditions on its columns read the walked rows.
      const walked = newest.as(getTableName(t));
      const rows = await select()
        .from(walked)
        .where(where)
        .orderBy(...order)
        .limit(n);
      if (rows.length === n) return rows;
      // The same order on an expression no index has: the planner reads the matches, then sorts.
      const d = sql.raw(dir);
      return select()
        .from(t)
        .where(where)
        .orderBy(sql`${t.occurredAt} + interval '0 seconds' ${d}`, sql`${t.id} ${d}`)
        .limit(n);
    },
    categories,
  );
}

function cursorFor(
  row: ListedRow | undefined,
  params: Pick<ExplorerParams, "sort" | "dir">,
  d: CursorDirection,
  position: number | null,
): string | null {
  if (!row) return null;
  const payload: CursorPayload = {
    s: params.sort,
    o: params.dir,
    k: row.sortKey,
    t: isoTime(row.occurredAt),
    i: row.id,
    d,
    p: position ?? undefined,
  };
  return encodeCursor(payload);
}

function pageOf(
  rows: ListedRow[],
  params: Pick<ExplorerParams, "sort" | "dir">,
  hasPrev: boolean,
  hasNext: boolean,
  firstPosition: number | null,
): AuditPage {
  const lastPosition = firstPosition === null ? null : firstPosition + rows.length - 1;
  return {
    entries: rows.map(toSummary),
    nextCursor: hasNext ? cursorFor(rows[rows.length - 1], params, "next", lastPosition) : null,
    prevCursor: hasPrev ? cursorFor(rows[0], params, "prev", firstPosition) : null,
    hasNext: hasNext && rows.length > 0,
    hasPrev: hasPrev && rows.length > 0,
    firstPosition: rows.length > 0 ? firstPosition : null,
  };
}

async function firstPage(db: Executor, t: T, matching: Matching, params: ExplorerParams): Promise<AuditPage> {
  const rows = await fetchRows(db, t, matching, params.sort, params.dir, null, params.size + 1, params.type);
  const hasNext = rows.length > params.size;
  return pageOf(rows.slice(0, params.size), params, false, hasNext, 1);
}

/**
 * One page of the selection in its sort. The params' cursor (when it fits the sort) says where
 * the page starts; none or a stale one gives the first page.
 */
export async function listAuditEntries(selection: AuditSelection, db: Executor = getReadDb()): Promise<AuditPage> {
  const { params } = selection;
  const t = asLiveShape(auditTableFor(params.scope));
  const matching = matchingOf(t, selection);
  const cursor = readCursor(params);
  if (!cursor) return firstPage(db, t, matching, params);
  const { size, sort, dir } = params;
  if (cursor.d === "next") {
    const rows = await fetchRows(db, t, matching, sort, dir, cursor, size + 1, params.type);
    const first = cursor.p === undefined ? null : cursor.p + 1;
    return pageOf(rows.slice(0, size), params, true, rows.length > size, first);
  }
  const rows = await fetchRows(db, t, matching, sort, flipDirection(dir), cursor, size + 1, params.type);
  // Nothing at all before the cursor (removed by retention, or filtered away): the first page.
  if (rows.length === 0) return firstPage(db, t, matching, params);
  // Fewer than a page before it is still exactly the rows before it: going back from a deep-link
  // window stays aligned with the window instead of repeating some of its rows. Then nothing is
  // before this page, so it starts at 1 whatever the cursor said; else one page before the edge.
  const hasPrev = rows.length > size;
  const first = !hasPrev ? 1 : cursor.p !== undefined && cursor.p - size >= 1 ? cursor.p - size : null;
  return pageOf(rows.slice(0, size).reverse(), params, hasPrev, true, first);
}

type FilterFlags = Partial<Record<`ok_${FilterPart}`, SQL<boolean>>>;

/**
 * The entry by (org_id, id): the org_id index of each partition, since a deep link knows only the
 * id. `parts` are evaluated on the row in the same statement, so the deep link learns whether the
 * filters admit it, and which parts do not, without another round trip.
 */
async function findEntryRow(db: Executor, t: T, orgId: string, entryId: string, parts: [FilterPart, SQL][] = []) {
  const id = entryId.toLowerCase();
  if (!isUuid(id)) return null;
  const flags: FilterFlags = Object.fromEntries(
    parts.map(([name, condition]) => [`ok_${name}`, sql<boolean>`coalesce(${condition}, false)`]),
  );
  const [row] = await db
    .select({
      ...detailColumns(t),
      userKey: sql<string>`${userSortKey(t)}`,
      actionKey: sql<string>`${actionSortKey(t)}`,
      targetKey: sql<string>`${targetSortKey(t)}`,
      ...flags,
    })
    .from(t)
    .where(and(eq(t.orgId, orgId), eq(t.id, id)))
    .limit(1);
  if (!row) return null;
  const record = row as Record<string, unknown>;
  const sortKeys: Record<SortKey, string | null> = {
    time: null,
    user: row.userKey,
    type: row.category,
    action: row.actionKey,
    target: row.targetKey,
    result: row.result,
  };
  const excludedBy = parts.map(([name]) => name).filter((name) => record[`ok_${name}`] !== true);
  return { row: row as DetailRow, sortKeys, excludedBy };
}

/** The entry with everything the details view shows; null when it is not this organization's. */
export async function getEntryDetails(
  orgId: string,
  entryId: string,
  table: AuditLogTable = auditTableFor("live"),
  db: Executor = getReadDb(),
): Promise<AuditEntryDetails | null> {
  const found = await findEntryRow(db, asLiveShape(table), orgId, entryId);
  return found ? toDetails(found.row) : null;
}

/** The steps of one asynchronous operation, oldest first. */
export async function getTimeline(
  orgId: string,
  correlationId: string,
  table: AuditLogTable = auditTableFor("live"),
  limit = 50,
  db: Executor = getReadDb(),
): Promise<TimelineStep[]> {
  const t = asLiveShape(table);
  const rows = await db
    .select({ id: t.id, occurredAt: t.occurredAt, result: t.result, action: t.action })
    .from(t)
    .where(and(eq(t.orgId, orgId), eq(t.correlationId, correlationId)))
    .orderBy(asc(t.occurredAt), asc(t.id))
    .limit(limit);
  return rows.map((r) => ({ id: r.id, occurredAt: isoTime(r.occurredAt), result: r.result, action: r.action }));
}

/**
 * A deep link (`?entry=`): the page around the entry in the current sort and filters. The entry is
 * found by (org_id, id); its neighbours are read by keyset from its own key, half a page before
 * and the rest after (more on one side when the other runs out), so Next and Previous continue
 * from the window's edges. Nothing is counted. Missing, another organization's, and past
 * retention all answer "not-found", indistinguishably.
 */
export async function locateEntry(
  selection: AuditSelection,
  entryId: string,
  db: Executor = getReadDb(),
): Promise<LocateResult> {
  const { orgId, params, search } = selection;
  const t = asLiveShape(auditTableFor(params.scope));
  const parts = Object.entries(buildFilterParts(t, params, search)) as [FilterPart, SQL][];
  const found = await findEntryRow(db, t, orgId, entryId, parts);
  if (!found) return { status: "not-found" };
  const { row, sortKeys, excludedBy } = found;
  if (excludedBy.length > 0) return { status: "outside-filters", entry: toDetails(row), excludedBy };

  const matching = matchingOf(t, selection);
  const { size, sort, dir } = params;
  const edge: KeysetEdge = { k: sortKeys[sort], t: isoTime(row.occurredAt), i: row.id };
  const [before, after] = await Promise.all([
    fetchRows(db, t, matching, sort, flipDirection(dir), edge, size, params.type),
    fetchRows(db, t, matching, sort, dir, edge, size, params.type),
  ]);
  const half = Math.floor(size / 2);
  const takeBefore = Math.min(before.length, Math.max(half, size - 1 - after.length));
  const takeAfter = Math.min(after.length, size - 1 - takeBefore);
  const self: ListedRow = { ...row, sortKey: sortKeys[sort] };
  const rows = [...before.slice(0, takeBefore).reverse(), self, ...after.slice(0, takeAfter)];
  // Fewer rows than asked for before the entry are all of them, so the window knows its place.
  const first = before.length < size ? before.length - takeBefore + 1 : null;
  return {
    status: "found",
    page: pageOf(rows, params, before.length > takeBefore, after.length > takeAfter, first),
  };
}
