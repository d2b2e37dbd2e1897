import "server-only";

import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { auditCategory } from "@/db/schema/enums";
import { byteaBuffer } from "@/db/schema/integrity";
import type { ArrivalPlace } from "@/lib/worker/arrivals";
import { recordEntryId } from "./block";

/*
 * The canonical form of a stored entry (docs/integrity.md): every column of audit_logs, in the
 * table's order, as the database itself prints it, so that the same row gives the same bytes on
 * a PostgreSQL server, in PGlite and after a dump and restore. Times are the columns' exact
 * millisecond values in UTC, inet is its text cast (address/mask), and jsonb is the database's
 * own text output of the value (keys already in jsonb's order), embedded as JSON as it is.
 */

/** Column name and whether its text is JSON to embed as it is (jsonb) rather than a string. */
export const CANONICAL_FIELDS = [
  ["org_id", false],
  ["id", false],
  ["occurred_at", false],
  ["received_at", false],
  ["actor_id", false],
  ["actor_name", false],
  ["actor_email", false],
  ["category", false],
  ["action", false],
  ["description", false],
  ["target_type", false],
  ["target_id", false],
  ["target_name", false],
  ["result", false],
  ["level", false],
  ["service", false],
  ["ip", false],
  ["user_agent", false],
  ["request_id", false],
  ["correlation_id", false],
  ["params", true],
  ["before", true],
  ["after", true],
  ["error_code", false],
  ["error_message", false],
  ["idempotency_key", false],
] as const;

export type CanonicalField = (typeof CANONICAL_FIELDS)[number][0];
export type CanonicalRow = Record<CanonicalField, string | null>;

const TIME_FIELDS: ReadonlySet<string> = new Set(["occurred_at", "received_at"]);

/*
 * Columns whose text can hold no character that JSON escapes: uuids, the times in the format
 * below, enum labels (lower-case words) and inet. Quoting them gives the bytes to_json() gives,
 * without its call per value: sealing spent most of the database's time for a leaf there
 * (docs/performance.md, Integrity, "2026-12-07").
 */
const PLAIN_FIELDS: ReadonlySet<string> = new Set([
  "org_id",
  "id",
  "occurred_at",
  "received_at",
  "category",
  "result",
  "level",
  "ip",
]);

/** A timestamptz as ISO 8601 in UTC with milliseconds: the columns' precision. */
function isoTimeSql(value: SQL): SQL {
  return sql`to_char(${value} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

function fieldText(name: string): SQL {
  const column = sql`${sql.identifier(name)}`;
  return TIME_FIELDS.has(name) ? isoTimeSql(column) : sql`${column}::text`;
}

/** The SELECT list of the canonical columns, each as text, under its own name. */
export function canonicalSelectList(): SQL {
  return sql.join(
    CANONICAL_FIELDS.map(([name]) => sql`${fieldText(name)} as ${sql.identifier(name)}`),
    sql`, `,
  );
}

/**
 * The canonical serialization written by the database itself, for sealing: the same bytes as
 * canonicalize() of the same row (to_json escapes a string as JSON.stringify does: the quote,
 * the backslash and control characters, nothing else), so that the row's text never travels
 * to the console to be hashed. Verification keeps canonicalize(), an independent second way.
 */
export function canonicalTextSql(): SQL {
  const parts = CANONICAL_FIELDS.map(([name, raw], index) => {
    const value = raw
      ? sql`${sql.identifier(name)}::text`
      : PLAIN_FIELDS.has(name)
        ? sql`'"' || ${fieldText(name)} || '"'`
        : sql`to_json(${fieldText(name)})::text`;
    return sql`${sql.raw(`'${index === 0 ? "{" : ","}${JSON.stringify(name)}:'`)} || coalesce(${value}, 'null')`;
  });
  return sql`(${sql.join(parts, sql` || `)} || '}')`;
}

/** The RFC 6962 leaf hash of canonicalTextSql(), as bytea (leafHash() in lib/integrity/merkle.ts). */
function leafHashBytesSql(): SQL {
  return sql`sha256('\\x00'::bytea || convert_to(${canonicalTextSql()}, 'UTF8'))`;
}

/** The same hash as hex. */
export function leafHashSql(): SQL {
  return sql`encode(${leafHashBytesSql()}, 'hex')`;
}

/** The canonical serialization: one line of JSON with the fields in CANONICAL_FIELDS's order. */
export function canonicalize(row: CanonicalRow): string {
  const parts = CANONICAL_FIELDS.map(([name, raw]) => {
    const value = row[name];
    const text = value === null || value === undefined ? "null" : raw ? value : JSON.stringify(value);
    return `${JSON.stringify(name)}:${text}`;
  });
  return `{${parts.join(",")}}`;
}

export interface ArrivalKey {
  receivedAt: Date;
  id: string;
}

export type LogTable = "audit_logs" | "audit_logs_archive";

/** One organization's entries from `first` to `last` in order of arrival, both included. */
export function arrivalRange(orgId: string, first: ArrivalKey, last: ArrivalKey): SQL {
  return sql`org_id = ${orgId}::uuid
    and (received_at, id) >= (${first.receivedAt.toISOString()}::timestamptz, ${first.id}::uuid)
    and (received_at, id) <= (${last.receivedAt.toISOString()}::timestamptz, ${last.id}::uuid)`;
}

/**
 * The SHA-256 (hex) of the ids of one organization's entries from `first` to `last` in order of
 * arrival, joined by commas: what sealed-record.ts's idsDigestOf gives for a block's leaves when
 * the stored range holds exactly the sealed entries in the sealed order. Null for an empty range.
 */
export async function storedIdsDigest(
  db: Executor,
  orgId: string,
  first: ArrivalKey,
  last: ArrivalKey,
): Promise<string | null> {
  const [row] = await queryRows<{ digest: string | null }>(
    db,
    sql`select encode(sha256(convert_to(string_agg(id::text, ',' order by audit_logs.received_at, audit_logs.id), 'UTF8')), 'hex') as digest
        from audit_logs where ${arrivalRange(orgId, first, last)}`,
  );
  return row?.digest ?? null;
}

/**
 * One organization's entries from `first` to `last` in order of arrival, both included. The ORDER
 * BY names the table's columns: the bare names would be the select list's text forms.
 */
export async function readCanonicalRange(
  db: Executor,
  orgId: string,
  first: ArrivalKey,
  last: ArrivalKey,
): Promise<CanonicalRow[]> {
  return queryRows<CanonicalRow>(
    db,
    sql`select ${canonicalSelectList()} from audit_logs
        where ${arrivalRange(orgId, first, last)}
        order by audit_logs.received_at, audit_logs.id`,
  );
}

/** A block's leaves as the database writes them: the record of leaves (block.ts) and its range. */
export interface LeafRecord {
  count: number;
  /** encodeLeaves() of the block's leaves, byte for byte (docs/integrity.md). */
  record: Buffer;
  first: ArrivalPlace;
  last: ArrivalPlace;
}

/** The category's byte in the record of leaves: its index in the enum's values, as encodeLeaves() writes it. */
function categoryByteSql(): SQL {
  const cases = auditCategory.enumValues.map((name, index) =>
    sql.raw(`when '${name}' then '\\x${index.toString(16).padStart(2, "0")}'::bytea`),
  );
  return sql`(case category::text ${sql.join(cases, sql` `)} end)`;
}

/**
 * One leaf's record (block.ts, LEAF_RECORD): the id's 16 bytes, the leaf hash, occurred_at in
 * milliseconds since 1970 as a big-endian int8, the category's byte.
 */
function leafRecordSql(): SQL {
  return sql`uuid_send(id) || ${leafHashBytesSql()} || int8send((extract(epoch from occurred_at) * 1000)::int8)
    || ${categoryByteSql()}`;
}

/**
 * The leaves of a block: at most `limit` of one organization's entries that `newer` picks, in
 * order of arrival, hashed and written into the block's record of leaves where they are read, so
 * that one value crosses to the console instead of a row per entry (docs/performance.md,
 * Integrity). The hash is computed above the ordered scan's LIMIT: only the block's rows.
 */
export function leafRecordQuery(orgId: string, newer: SQL, limit: number): SQL {
  return sql`select count(*)::int as count,
          string_agg(${leafRecordSql()}, ''::bytea order by received_at, id) as record,
          ${isoTimeSql(sql`min(received_at)`)} as "firstReceivedAt", ${isoTimeSql(sql`max(received_at)`)} as "lastReceivedAt"
        from (select * from audit_logs
              where org_id = ${orgId}::uuid and ${newer}
              order by audit_logs.received_at, audit_logs.id
              limit ${limit}) batch`;
}

export async function readLeafRecord(
  db: Executor,
  orgId: string,
  newer: SQL,
  limit: number,
): Promise<LeafRecord | null> {
  const [row] = await queryRows<{
    count: number;
    record: Buffer | Uint8Array | null;
    firstReceivedAt: string | null;
    lastReceivedAt: string | null;
  }>(db, leafRecordQuery(orgId, newer, limit));
  if (!row?.record || !row.firstReceivedAt || !row.lastReceivedAt || row.count === 0) return null;
  const record = byteaBuffer(row.record);
  return {
    count: row.count,
    record,
    first: { id: recordEntryId(record, 0), receivedAt: row.firstReceivedAt },
    last: { id: recordEntryId(record, row.count - 1), receivedAt: row.lastReceivedAt },
  };
}

/** The canonical rows of the given entries of one organization in one table, in no order. */
export async function readCanonicalByIds(
  db: Executor,
  table: LogTable,
  orgId: string,
  ids: readonly string[],
): Promise<CanonicalRow[]> {
  if (ids.length === 0) return [];
  return queryRows<CanonicalRow>(
    db,
    sql`select ${canonicalSelectList()} from ${sql.identifier(table)}
        where org_id = ${orgId}::uuid and id = any(${`{${ids.join(",")}}`}::uuid[])`,
  );
}
