import "server-only";

import { sql, type SQL } from "drizzle-orm";
import type { auditLogs } from "@/db/schema/audit-logs";

/*
 * The export's columns: one list for both formats, so a CSV and an xlsx of the same search have
 * the same columns in the same order with the same text. PostgreSQL computes every value but the
 * last (the text, JSON as jsonb prints it, ISO times); the permalink is the id behind a fixed
 * prefix and is added on the way out. Formula neutralisation is applied on the way out too, by
 * the one rule in spreadsheet-safety.ts (CSV: a leading apostrophe; xlsx: a quoted text cell).
 */

type T = typeof auditLogs;

/** How a column is rendered: text, an instant (xlsx: a real date; CSV: ISO 8601 text), or the permalink. */
export type ColumnKind = "text" | "utc-time" | "local-time" | "permalink";

export interface ExportContext {
  /**
   * Validated IANA zone of the viewer (PostgreSQL knows it too: checked before the export starts).
   * Export statements run with the session TimeZone set to it.
   */
  timeZone: string;
  /** `${origin}/orgs/${slug}/audit-logs/`, the permalink's prefix. */
  permalinkPrefix: string;
}

export interface ExportColumn {
  header: (ctx: Pick<ExportContext, "timeZone">) => string;
  kind: ColumnKind;
  /** xlsx column width, in characters. */
  width: number;
  /** Text that comes from log data and could start a formula in a spreadsheet. */
  userText: boolean;
  /** Only characters that need no XML escaping (uuids, enum codes, addresses). */
  plain: boolean;
  /** The cell's text, as PostgreSQL computes it (all kinds but the permalink). */
  text?: (t: T) => SQL;
}

// ISO 8601 with the zone's offset at that instant, e.g. 2026-11-20T10:15:00.000+01:00. to_char()
// renders a timestamptz in the session's TimeZone, which every export statement runs with set to
// the viewer's zone (exportSessionSettings): one conversion per row instead of four.
const localText = (t: T) => sql`to_char(${t.occurredAt}, 'YYYY-MM-DD"T"HH24:MI:SS.MSTZH:TZM')`;

const text = (header: string, width: number, value: (t: T) => SQL): ExportColumn => ({
  header: () => header,
  kind: "text",
  width,
  userText: true,
  plain: false,
  text: value,
});

const code = (header: string, width: number, value: (t: T) => SQL): ExportColumn => ({
  header: () => header,
  kind: "text",
  width,
  userText: false,
  plain: true,
  text: value,
});

export const EXPORT_COLUMNS: readonly ExportColumn[] = [
  // The id comes first: the permalink is built from it.
  code("ID", 38, (t) => sql`${t.id}::text`),
  // One time column, in the reader's zone (the explorer's rule): ISO 8601 with the offset at that
  // instant, so the UTC instant is in the text too. (A second, UTC column only repeated it.)
  {
    header: (ctx) => `Time (${ctx.timeZone})`,
    kind: "local-time",
    width: 31,
    userText: false,
    plain: true,
    text: localText,
  },
  // The actor as recorded: the id is what the user filter and the API name them by.
  text("Actor id", 24, (t) => sql`${t.actorId}`),
  text("Actor name", 24, (t) => sql`${t.actorName}`),
  text("Actor email", 28, (t) => sql`${t.actorEmail}`),
  code("Type", 13, (t) => sql`${t.category}::text`),
  text("Action", 24, (t) => sql`${t.action}`),
  text("Description", 50, (t) => sql`${t.description}`),
  text("Target type", 14, (t) => sql`${t.targetType}`),
  text("Target id", 24, (t) => sql`${t.targetId}`),
  text("Target name", 26, (t) => sql`${t.targetName}`),
  code("Result", 11, (t) => sql`${t.result}::text`),
  text("Error code", 22, (t) => sql`${t.errorCode}`),
  text("Error message", 40, (t) => sql`${t.errorMessage}`),
  code("Level", 12, (t) => sql`${t.level}::text`),
  text("Service", 20, (t) => sql`${t.service}`),
  // host() is the address without a /32 or /128 suffix: digits, dots, colons.
  code("IP", 18, (t) => sql`host(${t.ip})`),
  text("User agent", 36, (t) => sql`${t.userAgent}`),
  text("Request ID", 28, (t) => sql`${t.requestId}`),
  text("Correlation ID", 24, (t) => sql`${t.correlationId}`),
  // JSON as PostgreSQL prints jsonb (keys in its canonical order). Objects cannot start a formula,
  // but a stored scalar could (a negative number), so these go through the rule like any text.
  text("Parameters", 40, (t) => sql`(${t.params})::text`),
  text("Before", 40, (t) => sql`(${t.before})::text`),
  text("After", 40, (t) => sql`(${t.after})::text`),
  { header: () => "Permalink", kind: "permalink", width: 64, userText: false, plain: false },
];

/** The columns PostgreSQL computes: all but the permalink, which is last. */
export const SQL_COLUMNS = EXPORT_COLUMNS.filter((c) => c.kind !== "permalink");
if (
  EXPORT_COLUMNS[EXPORT_COLUMNS.length - 1]?.kind !== "permalink" ||
  EXPORT_COLUMNS[0]?.header({ timeZone: "UTC" }) !== "ID"
) {
  throw new Error("The export's first column must be the id and its last the permalink");
}

/** Per SQL column: whether its values go through the formula rule. */
export const NEUTRALISED = SQL_COLUMNS.map((c) => c.userText);

export function exportHeaders(ctx: Pick<ExportContext, "timeZone">): string[] {
  return EXPORT_COLUMNS.map((c) => c.header(ctx));
}

/** For the xlsx writer: text from log data, a value known to be plain, or an instant. */
export function xlsxKind(column: ExportColumn): "text" | "code" | "utc-time" | "local-time" {
  if (column.kind === "permalink") return "text";
  return column.kind === "text" && column.plain ? "code" : column.kind;
}

/** The select list for CSV: every value as text, in column order, the permalink left out. */
export function csvSelectList(t: T): SQL[] {
  return SQL_COLUMNS.map((c) => c.text!(t));
}

/**
 * The select list for xlsx: text as stored, times as epoch milliseconds (UTC, and the zone's
 * wall clock read as UTC, since Excel has no zones) so the writer makes real dates of them.
 */
export function xlsxSelectList(t: T): SQL[] {
  return SQL_COLUMNS.map((c) => {
    switch (c.kind) {
      case "utc-time":
        return sql`(extract(epoch from ${t.occurredAt}) * 1000)::float8`;
      case "local-time":
        return sql`(extract(epoch from ${t.occurredAt}::timestamp) * 1000)::float8`;
      default:
        return c.text!(t);
    }
  });
}

/**
 * Settings for the transaction that runs an export statement (set with set_config(..., true)):
 * - TimeZone: the viewer's zone, for the local time column.
 * - jit off: the statement is a long list of cheap expressions; compiling them took longer than
 *   evaluating them (docs/performance.md, "Design choices").
 * - no parallel workers: the rows are streamed in order to one consumer; workers would sort in
 *   parallel and compete with the web server for the same cores.
 * - enable_sort off when `walkIndex` (walksIndexOrder in export-query.ts): the rows are read in
 *   order from the explorer's index for the sort instead of being sorted.
 */
export function exportSessionSettings(ctx: Pick<ExportContext, "timeZone">, walkIndex: boolean): [string, string][] {
  const settings: [string, string][] = [
    ["TimeZone", ctx.timeZone],
    ["jit", "off"],
    ["max_parallel_workers_per_gather", "0"],
  ];
  if (walkIndex) settings.push(["enable_sort", "off"]);
  return settings;
}
