import "server-only";

import { and, eq, inArray, notInArray, sql, type SQL } from "drizzle-orm";
import {
  actionSortKey,
  requestIdKey,
  searchText,
  targetSortKey,
  userSortKey,
  type AuditLogTable,
} from "@/db/schema/audit-logs";
import type { ExplorerParams } from "./search-params";
import type { CreatedRange, IpValue, SearchFilter, SearchQuery, SearchTerm } from "./search-language";
import type { AuditSelection } from "./selection";
import { asLiveShape, type LiveShape } from "./tables";

/*
 * The explorer's WHERE clause, shared by the listing, the counts, the deep link and the export.
 * Every condition is written so that an organization-led index can serve it (see the indexes in
 * db/schema/audit-logs.ts, whose expressions are reused here verbatim), and every query starts
 * with org_id = $org.
 *
 * Matching rules (the integration tests hold an independent copy of them):
 * - period: occurred_at in [range.from, range.to).
 * - type, result: IN lists. user: actor_id = id, or, for an email, lower(actor_email) = email.
 * - free word or phrase of 3+ characters: a substring of searchText(), the lower-cased
 *   concatenation of actor name, actor email, target name, IP and description, found through its
 *   trigram index (a phrase can therefore span two adjacent fields); or the start of the
 *   lower-cased request id, through the org_request_id btree index. Request ids are opaque
 *   tokens that people paste whole or by their start; keeping them out of the trigram index
 *   halves its cost per stored entry (docs/performance.md).
 * - free word of 1-2 characters beside a word of 3+ characters (`sign in`): matched like the
 *   long word (a substring of searchText(), or the start of the request id). The long word's
 *   trigram test narrows the rows; the short one is checked on those, so `sign in` finds at
 *   least what `"sign in"` finds.
 * - free word of 1-2 characters with no long word beside it: pg_trgm extracts no trigram from
 *   it, so a substring search would read every row of the organization. It matches instead the
 *   start of the actor's email or of the target's name (case-insensitively), two prefixes the
 *   org_user_sort and org_target btree indexes answer.
 * - user:    an email (has "@"): lower(actor_email) = value; else a part of lower(actor_name).
 * - action:  the whole action or its leading words: lower(action) = value, or lower(action)
 *   starts with value followed by `_`, `.` or `-` (`action:delete` finds delete_profile, not
 *   deletion); any prefix with a trailing `*` (`action:export*`); a quoted value only the whole
 *   action (`action:"restore"`, as facet links write it).
 * - resource/target: lower(target_name) = value or lower(target_id) = value (`*` = prefix of
 *   the name or id).
 * - request_id: the start of lower(request_id) (people paste ids whole or by their start); a
 *   quoted value the whole id.
 * - correlation_id: correlation_id = value, as written (not lower-cased), as the timeline groups.
 * - service: lower(service) = value. level, type, result: IN lists.
 * - ip: an address is equality, a CIDR is containment (`<<=`).
 * - created: instant ranges, OR-ed.
 * Same key repeated ORs; different keys AND; a negated key excludes all of its values, and a row
 * whose column is NULL counts as "not matching", so negations keep it (`... IS NOT TRUE`).
 */

type T = LiveShape;

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

const contains = (text: string) => `%${escapeLike(text)}%`;
const startsWith = (text: string) => `${escapeLike(text)}%`;

/*
 * Case-insensitive match on a column whose index key is case-sensitive text in the "C"
 * collation (action, target name). Every string whose lower case starts with `value` starts with
 * one of the case variants of its first three characters; each variant is a prefix range of the
 * index (LIKE 'De%' on a "C" column is an index range), at most 8 of them, OR-ed into one bitmap.
 * `exact` then checks the rows those ranges return. This keeps the existing sort indexes useful
 * without a second, lower-cased index on each column.
 */
const CASE_VARIANT_CHARS = 3;

export function caseVariants(text: string): string[] {
  let variants = [""];
  for (const ch of [...text].slice(0, CASE_VARIANT_CHARS)) {
    const upper = ch.toUpperCase();
    // Characters whose upper case is longer (ß -> SS) or does not map back keep their one form.
    const forms = upper !== ch && [...upper].length === 1 && upper.toLowerCase() === ch ? [ch, upper] : [ch];
    variants = variants.flatMap((v) => forms.map((f) => v + f));
  }
  return variants;
}

function caseInsensitive(key: SQL, lowered: SQL, value: string, mode: "equals" | "prefix"): SQL {
  const ranges = caseVariants(value).map((v) => sql`${key} like ${startsWith(v)}`);
  const exact = mode === "equals" ? sql`${lowered} = ${value}` : sql`${lowered} like ${startsWith(value)}`;
  return sql`((${sql.join(ranges, sql` or `)}) and ${exact})`;
}

// A trailing `*` asks for a prefix (`action:export*`); `*` alone would match everything.
function prefixOrEquals(value: string): { mode: "equals" | "prefix"; text: string } {
  return value.length > 1 && value.endsWith("*")
    ? { mode: "prefix", text: value.slice(0, -1) }
    : { mode: "equals", text: value };
}

/*
 * `scope` repeats the query's organization and period inside the trigram arm of a free word's OR.
 * The trigram index holds every organization, so its bitmap alone is all organizations' matches
 * in a month; with the scope beside it in the same arm the planner ANDs it with the primary key's
 * (org_id, occurred_at) range first, several times faster for a common word
 * (docs/performance-history.md). Logically redundant: the query ANDs the scope anyway.
 */
function termCondition(t: T, term: SearchTerm, scope: SQL | undefined, anchored: boolean): SQL {
  if (term.length >= 3 || anchored) {
    const inText = sql`${searchText(t)} like ${contains(term.text)}`;
    const requestId = sql`${requestIdKey(t)} like ${startsWith(term.text)}`;
    return sql`(${scope ? sql`(${scope} and ${inText})` : inText} or ${requestId})`;
  }
  return sql`(${userSortKey(t)} like ${startsWith(term.text)} or ${caseInsensitive(targetSortKey(t), sql`lower(${t.targetName})`, term.text, "prefix")})`;
}

function userQualifier(t: T, value: string): SQL {
  if (value.includes("@")) return sql`${userSortKey(t)} = ${value}`;
  const name = sql`lower(${t.actorName}) like ${contains(value)}`;
  // searchText() holds lower(actor_name), so the trigram test is implied; it only lets the
  // planner narrow the rows through the trigram index first.
  return value.length >= 3 ? sql`(${searchText(t)} like ${contains(value)} and ${name})` : name;
}

// Actions are named verb_object (delete_profile) or dotted (user.delete); their words end at these.
const ACTION_WORD_SEPARATORS = ["_", ".", "-"] as const;

function actionQualifier(t: T, value: string, whole: boolean): SQL {
  if (whole) return caseInsensitive(actionSortKey(t), sql`lower(${t.action})`, value, "equals");
  const { mode, text } = prefixOrEquals(value);
  if (mode === "prefix") return caseInsensitive(actionSortKey(t), sql`lower(${t.action})`, text, mode);
  // The index ranges of the prefix, then the exact test: the action itself or its leading words.
  const lowered = sql`lower(${t.action})`;
  const ranges = caseVariants(text).map((v) => sql`${actionSortKey(t)} like ${startsWith(v)}`);
  const words = ACTION_WORD_SEPARATORS.map((sep) => sql`${lowered} like ${startsWith(text + sep)}`);
  return sql`((${sql.join(ranges, sql` or `)}) and (${lowered} = ${text} or ${sql.join(words, sql` or `)}))`;
}

function resourceQualifier(t: T, value: string): SQL {
  const { mode, text } = prefixOrEquals(value);
  const name = caseInsensitive(targetSortKey(t), sql`lower(${t.targetName})`, text, mode);
  const id =
    mode === "equals" ? sql`lower(${t.targetId}) = ${text}` : sql`lower(${t.targetId}) like ${startsWith(text)}`;
  return sql`(${name} or ${id})`;
}

function requestIdQualifier(t: T, value: string, whole: boolean): SQL {
  return whole ? sql`${requestIdKey(t)} = ${value}` : sql`${requestIdKey(t)} like ${startsWith(value)}`;
}

/*
 * host(ip) is part of searchText(), so an IPv4 address, or the whole octets of an IPv4 network,
 * is also a substring of it: an implied condition that lets the trigram index narrow the rows
 * (ip has no index of its own). IPv6 text has several spellings, so it gets none.
 */
function ipTextHint(ip: IpValue): string | null {
  if (ip.family !== 4) return null;
  if (ip.prefix === null || ip.prefix === 32) return ip.address;
  if (ip.prefix < 8 || ip.prefix % 8 !== 0) return null;
  return `${ip.address
    .split(".")
    .slice(0, ip.prefix / 8)
    .join(".")}.`;
}

function ipCondition(t: T, ip: IpValue): SQL {
  const exact =
    ip.prefix === null ? sql`${t.ip} = ${ip.address}::inet` : sql`${t.ip} <<= ${`${ip.address}/${ip.prefix}`}::inet`;
  const hint = ipTextHint(ip);
  return hint === null ? exact : sql`(${searchText(t)} like ${contains(hint)} and ${exact})`;
}

function instant(date: Date): SQL {
  return sql`${date.toISOString()}::timestamptz`;
}

function createdCondition(t: T, range: CreatedRange): SQL {
  const parts: SQL[] = [];
  if (range.from)
    parts.push(
      range.fromInclusive
        ? sql`${t.occurredAt} >= ${instant(range.from)}`
        : sql`${t.occurredAt} > ${instant(range.from)}`,
    );
  if (range.to)
    parts.push(
      range.toInclusive ? sql`${t.occurredAt} <= ${instant(range.to)}` : sql`${t.occurredAt} < ${instant(range.to)}`,
    );
  return parts.length === 0 ? sql`true` : and(...parts)!;
}

function anyOf(conditions: SQL[]): SQL {
  return conditions.length === 1 ? conditions[0]! : sql`(${sql.join(conditions, sql` or `)})`;
}

function filterCondition(t: T, filter: SearchFilter): SQL {
  switch (filter.key) {
    case "type":
      return filter.negated ? notInArray(t.category, filter.values) : inArray(t.category, filter.values);
    case "result":
      return filter.negated ? notInArray(t.result, filter.values) : inArray(t.result, filter.values);
    case "level":
      return filter.negated ? notInArray(t.level, filter.values) : inArray(t.level, filter.values);
    default:
      break;
  }
  let matches: SQL[];
  switch (filter.key) {
    case "user":
      matches = filter.values.map((v) => userQualifier(t, v));
      break;
    case "action":
      matches = filter.values.map((v) => actionQualifier(t, v, filter.whole?.includes(v) ?? false));
      break;
    case "resource":
      matches = filter.values.map((v) => resourceQualifier(t, v));
      break;
    case "request_id":
      matches = filter.values.map((v) => requestIdQualifier(t, v, filter.whole?.includes(v) ?? false));
      break;
    case "correlation_id":
      // As written, through org_correlation_idx: the same equality the timeline groups steps by.
      matches = filter.values.map((v) => sql`${t.correlationId} = ${v}`);
      break;
    case "service":
      matches = filter.values.map((v) => sql`lower(${t.service}) = ${v}`);
      break;
    case "ip":
      matches = filter.values.map((v) => ipCondition(t, v));
      break;
    case "created":
      matches = filter.values.map((v) => createdCondition(t, v));
      break;
  }
  const match = anyOf(matches);
  // NULL columns make the match NULL; for a negation that row "does not match", so it stays.
  return filter.negated ? sql`(${match}) is not true` : match;
}

function searchCondition(t: T, search: SearchQuery, scope: SQL | undefined): SQL | undefined {
  const terms = search.terms.filter((term) => term.text !== "");
  // A positive long word narrows the rows through the trigram index; short words may then be substrings.
  const anchored = terms.some((term) => !term.negated && term.length >= 3);
  const parts: SQL[] = [
    ...terms.map((term) =>
      term.negated
        ? sql`(${termCondition(t, term, scope, anchored)}) is not true`
        : termCondition(t, term, scope, anchored),
    ),
    ...search.filters.filter((f) => f.values.length > 0).map((f) => filterCondition(t, f)),
  ];
  return parts.length === 0 ? undefined : and(...parts);
}

/** The parts of the explorer's filter, by the name of the param that sets them, in URL order. */
export type FilterPart = "period" | "type" | "user" | "result" | "q";

/**
 * `orgId`, when given, is repeated inside free words' conditions to guide the planner (see
 * termCondition). Without it each part means exactly its own filter, as the deep link needs to
 * tell which parts exclude an entry.
 */
export function buildFilterParts(
  table: AuditLogTable,
  params: ExplorerParams,
  search: SearchQuery,
  orgId?: string,
): Partial<Record<FilterPart, SQL>> {
  const t = asLiveShape(table);
  const parts: Partial<Record<FilterPart, SQL>> = {};
  const { from, to } = params.range;
  const period = [
    from === null ? undefined : sql`${t.occurredAt} >= ${from}::timestamptz`,
    to === null ? undefined : sql`${t.occurredAt} < ${to}::timestamptz`,
  ].filter((c): c is SQL => c !== undefined);
  if (period.length > 0) parts.period = and(...period);
  if (params.type.length > 0) parts.type = inArray(t.category, params.type);
  if (params.user !== null) {
    // Emails through the user-sort index (lower-cased email), ids through the actor index.
    parts.user = params.user.includes("@")
      ? sql`${userSortKey(t)} = ${params.user.toLowerCase()}`
      : eq(t.actorId, params.user);
  }
  if (params.result.length > 0) parts.result = inArray(t.result, params.result);
  const q = searchCondition(t, search, orgId === undefined ? undefined : and(eq(t.orgId, orgId), ...period));
  if (q) parts.q = q;
  return parts;
}

/**
 * The WHERE of a selection: org_id first, then every part of the filter, AND-ed, and the snapshot
 * bound when there is one (entries received after it are not part of an export's file).
 */
export function selectionWhere(table: AuditLogTable, selection: AuditSelection): SQL {
  const t = asLiveShape(table);
  const parts = Object.values(buildFilterParts(table, selection.params, selection.search, selection.orgId));
  const snapshot = selection.snapshotAt
    ? sql`${t.receivedAt} <= ${selection.snapshotAt.toISOString()}::timestamptz`
    : undefined;
  return and(eq(t.orgId, selection.orgId), ...parts, snapshot)!;
}
