import "server-only";

import { sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { auditLogs } from "@/db/schema/audit-logs";

/*
 * One entry as JSON, in the ingestion API's shape plus id, receivedAt and url (its permalink):
 * what the read API answers and what each line of an NDJSON export holds. PostgreSQL writes the
 * text (json_build_object), so a page or a whole search is passed through without being parsed
 * into values and written again here, and the two readers cannot drift apart. A group of columns
 * that are all null (no actor, no target, no error) is null, as the ingestion API takes it.
 */

type T = typeof auditLogs;

const iso = (column: AnyPgColumn) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

function group(columns: [string, AnyPgColumn][]): SQL {
  const allNull = sql.join(
    columns.map(([, c]) => sql`${c} is null`),
    sql` and `,
  );
  const object = sql.join(
    columns.map(([name, c]) => sql`${sql.raw(`'${name}'`)}, ${c}`),
    sql`, `,
  );
  return sql`case when ${allNull} then null else json_build_object(${object}) end`;
}

/**
 * The entry's JSON text (no line breaks: JSON escapes every control character). `permalinkPrefix`
 * is `${origin}/orgs/${slug}/audit-logs/`; the url is it followed by the id.
 */
export function entryJsonText(t: T, permalinkPrefix: string): SQL<string> {
  return sql<string>`json_build_object(
    'id', ${t.id},
    'occurredAt', ${iso(t.occurredAt)},
    'receivedAt', ${iso(t.receivedAt)},
    'actor', ${group([
      ["id", t.actorId],
      ["name", t.actorName],
      ["email", t.actorEmail],
    ])},
    'category', ${t.category},
    'action', ${t.action},
    'description', ${t.description},
    'target', ${group([
      ["type", t.targetType],
      ["id", t.targetId],
      ["name", t.targetName],
    ])},
    'result', ${t.result},
    'level', ${t.level},
    'service', ${t.service},
    'ip', host(${t.ip}),
    'userAgent', ${t.userAgent},
    'requestId', ${t.requestId},
    'correlationId', ${t.correlationId},
    'params', ${t.params},
    'before', ${t.before},
    'after', ${t.after},
    'error', ${group([
      ["code", t.errorCode],
      ["message", t.errorMessage],
    ])},
    'idempotencyKey', ${t.idempotencyKey},
    'url', ${permalinkPrefix}::text || ${t.id}::text
  )::text`;
}

/**
 * The same entry as plain columns of text, for COPY in CSV format: an NDJSON stream writes its
 * lines from them on a thread of the console (ndjson-writer.ts, whose MEMBERS follow this
 * order), which is faster than having PostgreSQL write JSON on one core.
 */
export function entryJsonColumns(t: T): SQL[] {
  return [
    sql`${t.id}::text`,
    iso(t.occurredAt),
    iso(t.receivedAt),
    sql`${t.actorId}`,
    sql`${t.actorName}`,
    sql`${t.actorEmail}`,
    sql`${t.category}::text`,
    sql`${t.action}`,
    sql`${t.description}`,
    sql`${t.targetType}`,
    sql`${t.targetId}`,
    sql`${t.targetName}`,
    sql`${t.result}::text`,
    sql`${t.level}::text`,
    sql`${t.service}`,
    sql`host(${t.ip})`,
    sql`${t.userAgent}`,
    sql`${t.requestId}`,
    sql`${t.correlationId}`,
    sql`${t.params}::text`,
    sql`${t.before}::text`,
    sql`${t.after}::text`,
    sql`${t.errorCode}`,
    sql`${t.errorMessage}`,
    sql`${t.idempotencyKey}`,
  ];
}

export const NDJSON_CONTENT_TYPE = "application/x-ndjson; charset=utf-8";
