import "server-only";

import { and, asc, eq, ilike, or, sql, type SQL } from "drizzle-orm";
import { getDb } from "@/db/client";
import { memberships, users } from "@/db/schema";
import { actionSortKey, targetSortKey, userSortKey, type AuditLogTable } from "@/db/schema/audit-logs";
import { encodeCursor, isUuid, type CursorDirection, type CursorPayload } from "./cursor";
import { asLiveShape, auditTableFor, buildAuditWhere, buildFilterParts, escapeLike, type FilterPart } from "./filters";
import { readCursor, type ExplorerParams, type SortDirection, type SortKey } from "./search-params";
import type { SearchQuery } from "./search-language";
import type { AuditEntryDetails, AuditEntrySummary, JsonValue, TimelineStep } from "./types";

/*
 * The explorer's data access. Listing is keyset-only: rows are ordered by (sort key, occurred_at,
 * id), every index used ends in (occurred_at, id), and a page starts after the previous page's
 * edge row by a row-value comparison, which PostgreSQL turns into one index range (the OR-spelled
 * comparison is not, and is ~100x slower). No OFFSET, and no count beyond a capped one.
 */

type T = ReturnType<typeof asLiveShape>;

export interface AuditPage {
  entries: AuditEntrySummary[];
  /** Continue after the last entry; null when there is none. */
  nextCursor: string | null;
  /** Continue before the first entry; null on the first page. */
  prevCursor: string | null;
  hasNext: boolean;
  hasPrev: boolean;
}

export type LocateResult =
  | { status: "found"; page: AuditPage }
  | { status: "outside-filters"; entry: AuditEntryDetails; excludedBy: FilterPart[] }
  | { status: "not-found" };

export type MatchCount = { exact: true; count: number } | { exact: false; atLeast: number };

export interface OrgUserMatch {
  id: string;
  name: string;
  email: string;
}

interface QueryOptions {
  table?: AuditLogTable;
}

/* ------------------------------------------------------------------------------------------ */
/* Rows and DTOs                                                                                */
/* ------------------------------------------------------------------------------------------ */

function summaryColumns(t: T) {
  return {
    id: t.id,
    occurredAt: t.occurredAt,
    actorId: t.actorId,
    actorName: t.actorName,
    actorEmail: t.actorEmail,
    category: t.category,
    action: t.action,
    description: t.description,
    targetType: t.targetType,
    targetId: t.targetId,
    targetName: t.targetName,
    result: t.result,
    level: t.level,
    errorCode: t.errorCode,
  };
}

function detailColumns(t: T) {
  return {
    ...summaryColumns(t),
    receivedAt: t.receivedAt,
    service: t.service,
    ip: t.ip,
    userAgent: t.userAgent,
    requestId: t.requestId,
    correlationId: t.correlationId,
    params: t.params,
    before: t.before,
    after: t.after,
    errorMessage: t.errorMessage,
  };
}

type SummaryRow = {
  [K in keyof ReturnType<typeof summaryColumns>]: ReturnType<typeof summaryColumns>[K]["_"]["data"] | null;
} & { id: string; occurredAt: Date };
type DetailRow = SummaryRow & {
  [K in Exclude<keyof ReturnType<typeof detailColumns>, keyof SummaryRow>]:
    ReturnType<typeof detailColumns>[K]["_"]["data"] | null;
};

// Drivers hand timestamps back as Date (drizzle's mapping), but raw values can be strings.
function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

function toSummary(row: SummaryRow): AuditEntrySummary {
  const hasActor = row.actorId !== null || row.actorName !== null || row.actorEmail !== null;
  return {
    id: row.id,
    occurredAt: iso(row.occurredAt),
    actor: hasActor ? { id: row.actorId, name: row.actorName, email: row.actorEmail } : null,
    category: row.category!,
    action: row.action!,
    description: row.description,
    target: { type: row.targetType, id: row.targetId, name: row.targetName },
    result: row.result!,
    level: row.level!,
    errorCode: row.errorCode,
  };
}

function toDetails(row: DetailRow): AuditEntryDetails {
  return {
    ...toSummary(row),
    receivedAt: iso(row.receivedAt!),
    service: row.service,
    ip: row.ip === null ? null : String(row.ip),
    userAgent: row.userAgent,
    requestId: row.requestId,
    correlationId: row.correlationId,
    params: (row.params ?? null) as JsonValue | null,
    before: (row.before ?? null) as JsonValue | null,
    after: (row.after ?? null) as JsonValue | null,
    errorMessage: row.errorMessage,
  };
}

/* ------------------------------------------------------------------------------------------ */
/* Keyset                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/**
 * The leading sort expression, exactly as the matching index spells it; null for time. The export
 * orders its file with the same function, so the file and the pages list entries alike.
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

// The cursor's key as a typed literal, so it compares like the column (enum order, "C" text).
function keyLiteral(sort: SortKey, k: string): SQL {
  if (sort === "type") return sql`${k}::audit_category`;
  if (sort === "result") return sql`${k}::audit_result`;
  return sql`${k}::text`;
}

interface KeysetEdge {
  k: string | null;
  t: string;
  i: string;
}

/** (key, occurred_at, id) compared as one row value: an index range, not an OR of columns. */
function keysetCondition(t: T, sort: SortKey, edge: KeysetEdge, op: "<" | ">"): SQL {
  const key = sortKeyExpression(t, sort);
  const after = sql.raw(op);
  const at = sql`${edge.t}::timestamptz`;
  const id = sql`${edge.i}::uuid`;
  if (key === null || edge.k === null) return sql`(${t.occurredAt}, ${t.id}) ${after} (${at}, ${id})`;
  return sql`(${key}, ${t.occurredAt}, ${t.id}) ${after} (${keyLiteral(sort, edge.k)}, ${at}, ${id})`;
}

function orderBy(t: T, sort: SortKey, dir: SortDirection): SQL[] {
  const key = sortKeyExpression(t, sort);
  const d = sql.raw(dir);
  const columns = key === null ? [t.occurredAt, t.id] : [key, t.occurredAt, t.id];
  return columns.map((c) => sql`${c} ${d}`);
}

const flip = (dir: SortDirection): SortDirection => (dir === "asc" ? "desc" : "asc");

type ListedRow = SummaryRow & { sortKey: string | null };

/**
 * Up to `limit` rows in `dir` order, starting after `edge` (exclusive) in that order. Reading
 * backwards is the same query with the direction flipped.
 */
async function fetchRows(
  t: T,
  where: SQL,
  sort: SortKey,
  dir: SortDirection,
  edge: KeysetEdge | null,
  limit: number,
): Promise<ListedRow[]> {
  const key = sortKeyExpression(t, sort);
  const conditions = edge ? and(where, keysetCondition(t, sort, edge, dir === "desc" ? "<" : ">"))! : where;
  return getDb()
    .select({ ...summaryColumns(t), sortKey: key === null ? sql<null>`null` : sql<string>`${key}` })
    .from(t)
    .where(conditions)
    .orderBy(...orderBy(t, sort, dir))
    .limit(limit);
}

function edgeOf(row: ListedRow): KeysetEdge {
  return { k: row.sortKey, t: iso(row.occurredAt), i: row.id };
}

function cursorFor(
  row: ListedRow | undefined,
  params: Pick<ExplorerParams, "sort" | "dir">,
  d: CursorDirection,
): string | null {
  if (!row) return null;
  const payload: CursorPayload = { s: params.sort, o: params.dir, ...edgeOf(row), d };
  return encodeCursor(payload);
}

function pageOf(
  rows: ListedRow[],
  params: Pick<ExplorerParams, "sort" | "dir">,
  hasPrev: boolean,
  hasNext: boolean,
): AuditPage {
  return {
    entries: rows.map(toSummary),
    nextCursor: hasNext ? cursorFor(rows[rows.length - 1], params, "next") : null,
    prevCursor: hasPrev ? cursorFor(rows[0], params, "prev") : null,
    hasNext: hasNext && rows.length > 0,
    hasPrev: hasPrev && rows.length > 0,
  };
}

/* ------------------------------------------------------------------------------------------ */
/* Listing                                                                                      */
/* ------------------------------------------------------------------------------------------ */

function tableOf(params: Pick<ExplorerParams, "scope">, table?: AuditLogTable): T {
  return asLiveShape(table ?? auditTableFor(params.scope));
}

async function firstPage(t: T, where: SQL, params: ExplorerParams): Promise<AuditPage> {
  const rows = await fetchRows(t, where, params.sort, params.dir, null, params.size + 1);
  const hasNext = rows.length > params.size;
  return pageOf(rows.slice(0, params.size), params, false, hasNext);
}

/**
 * One page of the organization's entries under the params' filters and sort. The params' cursor
 * (when it fits the sort) says where the page starts; none or a stale one gives the first page.
 */
export async function listAuditEntries(
  orgId: string,
  params: ExplorerParams,
  search: SearchQuery,
  options: QueryOptions = {},
): Promise<AuditPage> {
  const t = tableOf(params, options.table);
  const where = buildAuditWhere(t, orgId, params, search);
  const cursor = readCursor(params);
  if (!cursor) return firstPage(t, where, params);
  const { size, sort, dir } = params;
  if (cursor.d === "next") {
    const rows = await fetchRows(t, where, sort, dir, cursor, size + 1);
    return pageOf(rows.slice(0, size), params, true, rows.length > size);
  }
  const rows = await fetchRows(t, where, sort, flip(dir), cursor, size + 1);
  // Nothing at all before the cursor (removed by retention, or filtered away): the first page.
  if (rows.length === 0) return firstPage(t, where, params);
  // Fewer than a page before it is still exactly the rows before it: going back from a deep-link
  // window stays aligned with the window instead of repeating some of its rows.
  return pageOf(rows.slice(0, size).reverse(), params, rows.length > size, true);
}

/* ------------------------------------------------------------------------------------------ */
/* Single entries                                                                               */
/* ------------------------------------------------------------------------------------------ */

type FilterFlags = Partial<Record<`ok_${FilterPart}`, SQL<boolean>>>;

/**
 * The entry by (org_id, id): the org_id index of each partition, since a deep link knows only the
 * id. `parts` are evaluated on the row in the same statement, so the deep link learns whether the
 * filters admit it, and which parts do not, without another round trip.
 */
async function findEntryRow(t: T, orgId: string, entryId: string, parts: [FilterPart, SQL][] = []) {
  const id = entryId.toLowerCase();
  if (!isUuid(id)) return null;
  const flags: FilterFlags = Object.fromEntries(
    parts.map(([name, condition]) => [`ok_${name}`, sql<boolean>`coalesce(${condition}, false)`]),
  );
  const [row] = await getDb()
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
): Promise<AuditEntryDetails | null> {
  const found = await findEntryRow(asLiveShape(table), orgId, entryId);
  return found ? toDetails(found.row) : null;
}

/** The steps of one asynchronous operation, oldest first. */
export async function getTimeline(
  orgId: string,
  correlationId: string,
  table: AuditLogTable = auditTableFor("live"),
  limit = 50,
): Promise<TimelineStep[]> {
  const t = asLiveShape(table);
  const rows = await getDb()
    .select({ id: t.id, occurredAt: t.occurredAt, result: t.result, action: t.action })
    .from(t)
    .where(and(eq(t.orgId, orgId), eq(t.correlationId, correlationId)))
    .orderBy(asc(t.occurredAt), asc(t.id))
    .limit(limit);
  return rows.map((r) => ({ id: r.id, occurredAt: iso(r.occurredAt), result: r.result, action: r.action }));
}

/**
 * A deep link (`?entry=`): the page around the entry in the current sort and filters. The entry is
 * found by (org_id, id); its neighbours are read by keyset from its own key, half a page before
 * and the rest after (more on one side when the other runs out), so Next and Previous continue
 * from the window's edges. Nothing is counted. Missing, another organization's, and past
 * retention all answer "not-found", indistinguishably.
 */
export async function locateEntry(
  orgId: string,
  entryId: string,
  params: ExplorerParams,
  search: SearchQuery,
  table?: AuditLogTable,
): Promise<LocateResult> {
  const t = tableOf(params, table);
  const parts = Object.entries(buildFilterParts(t, params, search)) as [FilterPart, SQL][];
  const found = await findEntryRow(t, orgId, entryId, parts);
  if (!found) return { status: "not-found" };
  const { row, sortKeys, excludedBy } = found;
  if (excludedBy.length > 0) return { status: "outside-filters", entry: toDetails(row), excludedBy };

  const where = buildAuditWhere(t, orgId, params, search);
  const { size, sort, dir } = params;
  const edge: KeysetEdge = { k: sortKeys[sort], t: iso(row.occurredAt), i: row.id };
  const [before, after] = await Promise.all([
    fetchRows(t, where, sort, flip(dir), edge, size),
    fetchRows(t, where, sort, dir, edge, size),
  ]);
  const half = Math.floor(size / 2);
  const takeBefore = Math.min(before.length, Math.max(half, size - 1 - after.length));
  const takeAfter = Math.min(after.length, size - 1 - takeBefore);
  const self: ListedRow = { ...row, sortKey: sortKeys[sort] };
  const rows = [...before.slice(0, takeBefore).reverse(), self, ...after.slice(0, takeAfter)];
  return { status: "found", page: pageOf(rows, params, before.length > takeBefore, after.length > takeAfter) };
}

/* ------------------------------------------------------------------------------------------ */
/* Counts                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/**
 * How many entries match, exactly up to `exactUpTo`, else "at least exactUpTo": the inner LIMIT
 * stops the scan there, so a page view never pays for a full count.
 */
export async function countMatching(
  orgId: string,
  params: ExplorerParams,
  search: SearchQuery,
  { exactUpTo = 10_000, table }: { exactUpTo?: number; table?: AuditLogTable } = {},
): Promise<MatchCount> {
  const t = tableOf(params, table);
  const cap = Math.max(0, Math.floor(exactUpTo));
  const capped = getDb()
    .select({ one: sql`1` })
    .from(t)
    .where(buildAuditWhere(t, orgId, params, search))
    .limit(cap + 1)
    .as("capped");
  const [row] = await getDb()
    .select({ n: sql<number>`count(*)::int` })
    .from(capped);
  const n = Number(row?.n ?? 0);
  return n > cap ? { exact: false, atLeast: cap } : { exact: true, count: n };
}

/**
 * The exact number of entries an export will write. With a snapshot, entries received after it
 * are left out, so the count and the file agree while new entries keep arriving.
 */
export async function countExact(
  orgId: string,
  params: ExplorerParams,
  search: SearchQuery,
  snapshot?: { receivedAtMax: Date },
  options: QueryOptions = {},
): Promise<number> {
  const t = tableOf(params, options.table);
  const where = buildAuditWhere(t, orgId, params, search);
  const conditions = snapshot
    ? and(where, sql`${t.receivedAt} <= ${snapshot.receivedAtMax.toISOString()}::timestamptz`)!
    : where;
  const [row] = await getDb()
    .select({ n: sql<string>`count(*)` })
    .from(t)
    .where(conditions);
  return Number(row?.n ?? 0);
}

/* ------------------------------------------------------------------------------------------ */
/* People                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/**
 * Members of the organization whose name or email contains the text (case-insensitively), for
 * the user filter's search box. Prefix matches come first. Members are few per organization, so
 * the membership primary key (org_id, user_id) bounds the work.
 */
export async function searchOrgUsers(orgId: string, text: string, limit = 10): Promise<OrgUserMatch[]> {
  const needle = text.trim().toLowerCase().slice(0, 200);
  const size = Math.min(Math.max(1, Math.floor(limit)), 50);
  const matches =
    needle === ""
      ? undefined
      : or(ilike(users.name, `%${escapeLike(needle)}%`), ilike(users.email, `%${escapeLike(needle)}%`));
  const prefix = `${escapeLike(needle)}%`;
  return getDb()
    .select({ id: users.id, name: users.name, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), matches))
    .orderBy(
      sql`(lower(${users.email}) like ${prefix} or lower(${users.name}) like ${prefix}) desc`,
      asc(users.name),
      asc(users.email),
    )
    .limit(size);
}
