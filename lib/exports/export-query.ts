import "server-only";

import { sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { queryRows, type Executor } from "@/db/client";
import { countMatching } from "@/lib/audit-log/counts";
import { committedHorizon } from "@/lib/audit-log/horizon";
import type { AuditSelection } from "@/lib/audit-log/selection";
import { asLiveShape, auditTableFor, type LiveShape } from "@/lib/audit-log/tables";
import { buildFilterParts } from "@/lib/audit-log/where";

/*
 * What an export reads: the query core's selection (same parser, same WHERE, so the same rows as
 * the explorer), bounded by a snapshot instant, in the explorer's order. The count that the modal
 * announces and the query that writes the file are built from the same selection, so they cannot
 * disagree.
 */

/** An export's selection always has a snapshot: the file holds the N that was counted. */
export type ExportSelection = AuditSelection & { snapshotAt: Date };

export function exportTable(selection: Pick<ExportSelection, "params">): LiveShape {
  return asLiveShape(auditTableFor(selection.params.scope));
}

/** Above this many rows an export always walks its index (walksIndexOrder). */
export const SORT_FREE_ABOVE_ROWS = 50_000;

/**
 * Whether an export reads its rows in order by walking the explorer's index for its sort
 * (enable_sort off), rather than leaving the plan to PostgreSQL, which may sort.
 * - Large exports walk: the first rows stream at once, with no sort spilling to disk.
 * - So does an export that only its period restricts, in time order, whatever its size: the
 *   primary key (org_id, occurred_at, id) holds exactly its rows in its order, so the walk reads
 *   nothing it throws away, where the planner chose a bitmap scan and a sort that spilled
 *   (docs/performance.md, "small exports").
 * - Other small exports keep the planner's choice: a selective search (a rare word) is cheaper to
 *   sort than to find by walking every entry of the period.
 */
export function walksIndexOrder(selection: Pick<ExportSelection, "params" | "search">, expectedRows: number): boolean {
  if (expectedRows > SORT_FREE_ABOVE_ROWS) return true;
  if (selection.params.sort !== "time") return false;
  const parts = buildFilterParts(exportTable(selection), selection.params, selection.search);
  return Object.keys(parts).every((part) => part === "period");
}

/**
 * How many rows the export will write, counted up to `cap` (then `cap + 1` means "more"): the
 * inner LIMIT stops the scan, so an over-large search costs no more than the limit.
 */
export async function countExportRows(db: Executor, selection: ExportSelection, cap: number): Promise<number> {
  const count = await countMatching(selection, { cap, db });
  return count.exact ? count.count : count.atLeast + 1;
}

/**
 * The snapshot instant of an export: everything received before it is committed when the count
 * runs, and everything after it (this export's own audit entry included) is out of the file. An
 * idle-in-transaction session older than `lookBackMs` is not waited for.
 */
export async function fixSnapshot(db: Executor, lookBackMs = 10_000): Promise<Date> {
  return committedHorizon(db, { lookBackMs, marginMs: 1 });
}

/** True when PostgreSQL knows the zone (its tz database may differ from the runtime's ICU). */
export async function databaseKnowsZone(db: Executor, timeZone: string): Promise<boolean> {
  try {
    await queryRows(db, sql`select now() at time zone ${timeZone}::text as t`);
    return true;
  } catch {
    return false;
  }
}

/* ------------------------------------------------------------------------------------------ */
/* SQL text                                                                                     */
/* ------------------------------------------------------------------------------------------ */

const dialect = new PgDialect();

export function compile(query: SQL): { sql: string; params: unknown[] } {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return { sql: text, params };
}

// A literal that means what the bound parameter meant: an untyped (unknown) literal, resolved by
// its context exactly as an untyped parameter is. E'' spelling with backslashes doubled, so the
// text reads the same whatever standard_conforming_strings says.
function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (value instanceof Date) return `'${value.toISOString()}'::timestamptz`;
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" && Number.isFinite(value)) text = String(value);
  else if (typeof value === "bigint" || typeof value === "boolean") text = String(value);
  else throw new TypeError(`Cannot write a ${typeof value} parameter into COPY`);
  if (text.includes("\u0000")) throw new TypeError("A text value cannot contain NUL");
  return `E'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/**
 * The statement with its parameters written in as literals. COPY is a utility statement and
 * takes no bind parameters, so its inner query has to carry its values itself. Placeholders are
 * only replaced outside quoted literals and identifiers.
 */
export function inlineParameters(query: { sql: string; params: unknown[] }): string {
  const { sql: text, params } = query;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') {
      const escapes = ch === "'" && i > 0 && /[eE]/.test(text[i - 1]!) && !/[\w$]/.test(text[i - 2] ?? " ");
      let j = i + 1;
      while (j < text.length) {
        if (escapes && text[j] === "\\") j += 2;
        else if (text[j] === ch) {
          if (text[j + 1] === ch) j += 2;
          else break;
        } else j += 1;
      }
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (ch === "$") {
      const m = /^\$(\d+)/.exec(text.slice(i, i + 12));
      if (m) {
        const index = Number(m[1]) - 1;
        if (index < 0 || index >= params.length) throw new RangeError(`No parameter $${m[1]}`);
        out += literal(params[index]);
        i += m[0].length;
        continue;
      }
    }
    out += ch;
    i += 1;
  }
  return out;
}
