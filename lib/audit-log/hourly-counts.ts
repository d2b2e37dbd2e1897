import "server-only";

import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { auditLogHourly, auditLogs } from "@/db/schema";
import type { AuditCategory, AuditLevel, AuditResult } from "@/db/schema/enums";
import type { BucketPlan } from "./insight-buckets";
import type { AuditSelection } from "./selection";
import type { LiveShape } from "./tables";
import { selectionWhere } from "./where";

/*
 * The histogram and the category/result/level counts of a search from the hourly roll-up
 * (audit_log_hourly, kept by triggers), for the searches it can answer exactly: the live log, a
 * period with a start, filtered by nothing but category, result and level (the explorer's default
 * view and its type/result/level narrowings), on buckets of whole hours that start on whole UTC
 * hours. The whole hours of the period come from the roll-up; the part-hours at its ends are
 * counted on the log itself. Both go through selectionWhere, so the figures are the explorer's.
 */

const HOUR = 3_600_000;
/** (organization, hour) pairs folded per statement. */
export const FOLD_BATCH = 5000;
const ROLLUP_KEYS = new Set(["type", "result", "level"]);

export interface HourlyCounts {
  histogram: { startMs: number; result: AuditResult; n: number }[];
  categories: Map<AuditCategory, number>;
  levels: Map<AuditLevel, number>;
}

type Range = { from: string; to: string | null };

/** The whole hours of the period and the part-hours at its ends, or null when there is no whole hour. */
export function splitAtHours(range: AuditSelection["params"]["range"]): { hours: Range; edges: Range[] } | null {
  if (range.from === null) return null;
  const from = Date.parse(range.from);
  const to = range.to === null ? null : Date.parse(range.to);
  const fromHour = Math.ceil(from / HOUR) * HOUR;
  const toHour = to === null ? null : Math.floor(to / HOUR) * HOUR;
  if (toHour !== null && toHour <= fromHour) return null;
  const iso = (ms: number) => new Date(ms).toISOString();
  const edges: Range[] = [];
  if (from < fromHour) edges.push({ from: range.from, to: iso(fromHour) });
  if (to !== null && toHour !== null && toHour < to) edges.push({ from: iso(toHour), to: range.to });
  return { hours: { from: iso(fromHour), to: toHour === null ? null : iso(toHour) }, edges };
}

export function rollupAnswers(selection: AuditSelection, plan: Pick<BucketPlan, "sizeMs" | "originMs">): boolean {
  const { params, search } = selection;
  return (
    params.scope === "live" &&
    !selection.snapshotAt &&
    params.user === null &&
    search.terms.every((t) => t.text === "") &&
    search.filters.every((f) => ROLLUP_KEYS.has(f.key)) &&
    plan.sizeMs % HOUR === 0 &&
    plan.originMs % HOUR === 0 &&
    splitAtHours(params.range) !== null
  );
}

/*
 * The roll-up's columns under the names the query core reads: the hour stands for occurred_at.
 * Only the columns a roll-up-answerable search names (org, period, category, result, level) are
 * mapped; rollupAnswers keeps every other filter away from here.
 */
const hourlyAsLog = {
  orgId: auditLogHourly.orgId,
  occurredAt: auditLogHourly.hour,
  category: auditLogHourly.category,
  result: auditLogHourly.result,
  level: auditLogHourly.level,
} as unknown as LiveShape;

type Row = {
  kind: "histogram" | "category" | "level";
  bucket: string | number | null;
  result: AuditResult | null;
  category: AuditCategory | null;
  level: AuditLevel | null;
  n: string | number;
};

function within(selection: AuditSelection, range: Range): AuditSelection {
  return { ...selection, params: { ...selection.params, range } };
}

/** The bucket of `time`; a roll-up hour is its own bucket when buckets are hours (rollupAnswers: on whole hours). */
function bucketOf(time: SQL, plan: Pick<BucketPlan, "sizeMs" | "originMs">, hourly: boolean): SQL {
  if (hourly && plan.sizeMs === HOUR) return time;
  const size = sql`${`${plan.sizeMs} milliseconds`}::interval`;
  const origin = sql`${new Date(plan.originMs).toISOString()}::timestamptz`;
  return sql`date_bin(${size}, ${time}, ${origin})`;
}

function grouped(
  source: SQL,
  time: SQL,
  count: SQL,
  where: SQL,
  plan: Pick<BucketPlan, "sizeMs" | "originMs">,
  hourly = false,
): SQL {
  const bucket = bucketOf(time, plan, hourly);
  // The bucket stays a timestamp until the groups are made: extract() returns numeric, and
  // converting each of a week's 9,000 roll-up rows to milliseconds cost more than reading them.
  return sql`select case grouping(bucket, result, category, level) when 3 then 'histogram' when 13 then 'category' else 'level' end as kind,
      bucket, result, category, level, sum(n) as n
    from (select ${bucket} as bucket,
            result, category, level, ${count} as n
          from ${source} where ${where}) k
    group by grouping sets ((bucket, result), (category), (level))`;
}

/*
 * The histogram alone (the explorer's compact chart): no category and level groups. A year of the
 * largest organization is about 370,000 roll-up rows. Grouped straight into buckets, the statement
 * took 69-73 ms at 10M entries, against 96-99 ms when the rows were first summed per hour and the
 * hour sums then put into buckets (psql's own timing, prepared, alternated; EXPLAIN ANALYZE had
 * said the opposite, its per-row timing costing the straight form more: docs/performance.md).
 */
function histogramOnly(
  source: SQL,
  time: SQL,
  count: SQL,
  where: SQL,
  plan: Pick<BucketPlan, "sizeMs" | "originMs">,
  hourly = false,
): SQL {
  return sql`select 'histogram' as kind, ${bucketOf(time, plan, hourly)} as bucket, result,
      null::audit_category as category, null::audit_level as level, sum(${count}) as n
    from ${source} where ${where}
    group by 2, 3`;
}

/**
 * Null when the roll-up cannot answer the selection exactly (rollupAnswers). Without `facets`, the
 * histogram alone: the category and level counts are left empty.
 */
export async function readHourlyCounts(
  db: Executor,
  selection: AuditSelection,
  plan: Pick<BucketPlan, "sizeMs" | "originMs">,
  { facets = true }: { facets?: boolean } = {},
): Promise<HourlyCounts | null> {
  const split = rollupAnswers(selection, plan) ? splitAtHours(selection.params.range) : null;
  if (split === null) return null;
  const h = auditLogHourly;
  const t = auditLogs;
  const part = facets ? grouped : histogramOnly;
  const parts = [
    part(
      sql`${h}`,
      sql`${h.hour}`,
      sql`${h.n}`,
      selectionWhere(hourlyAsLog, within(selection, split.hours)),
      plan,
      true,
    ),
    ...split.edges.map((edge) =>
      part(sql`${t}`, sql`${t.occurredAt}`, sql`1`, selectionWhere(t, within(selection, edge)), plan),
    ),
  ];
  const rows = await queryRows<Row>(
    db,
    sql`select kind, (extract(epoch from bucket) * 1000)::bigint as bucket, result, category, level, sum(n)::bigint as n
        from (${sql.join(parts, sql` union all `)}) u
        group by kind, u.bucket, result, category, level`,
  );
  const out: HourlyCounts = { histogram: [], categories: new Map(), levels: new Map() };
  for (const row of rows) {
    const n = Number(row.n);
    if (n === 0) continue;
    if (row.kind === "histogram") out.histogram.push({ startMs: Number(row.bucket), result: row.result!, n });
    else if (row.kind === "category") out.categories.set(row.category!, n);
    else out.levels.set(row.level!, n);
  }
  return out;
}

/**
 * Folds each key's delta rows into one, for the hours that received deltas since the last fold.
 * The deleted rows are summed and written back in one statement, so a concurrent insert (a row
 * this statement does not see) is neither lost nor counted twice.
 */
export async function foldHourlyCounts(db: Executor): Promise<number> {
  const [row] = await queryRows<{ n: string | number }>(
    db,
    sql`with touched as (
          select distinct org_id, hour from audit_log_hourly where not folded limit ${FOLD_BATCH}
        ),
        gone as (
          delete from audit_log_hourly h using touched
          where h.org_id = touched.org_id and h.hour = touched.hour
          returning h.org_id, h.hour, h.category, h.result, h.level, h.n
        ),
        kept as (
          insert into audit_log_hourly (org_id, hour, category, result, level, n, folded)
          select org_id, hour, category, result, level, sum(n), true from gone
          group by 1, 2, 3, 4, 5 having sum(n) <> 0
          returning 1
        )
        select (select count(*) from touched) as n`,
  );
  return Number(row?.n ?? 0);
}
