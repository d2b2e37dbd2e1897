import "server-only";

import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { getReadDb } from "@/db/read-replica";
import type { AuditCategory, AuditLevel, AuditResult } from "@/db/schema/enums";
import { countMatching } from "./counts";
import { readHourlyCounts, type HourlyCounts } from "./hourly-counts";
import { bucketPlan, fillBuckets, type BucketPlan, type HistogramBucket } from "./insight-buckets";
import type { AuditSelection } from "./selection";
import { asLiveShape, auditTableFor } from "./tables";
import { selectionWhere } from "./where";

/*
 * The insights of a search, read with the explorer's own WHERE (selectionWhere), so every figure
 * is what the explorer would list for the same search. One statement reads the matching rows once
 * and counts them along several groupings at the same time (GROUPING SETS): the histogram (time
 * bucket x result), category, level, and the actor, action, target and address facets; a capped
 * count before it decides whether all matching rows are read or only the newest `cap`.
 *
 * Honest numbers: a search can match millions of rows (a common word over months). The scan then
 * stops after the newest `cap` matching entries: the figures cover exactly those, the histogram
 * marks the buckets before them as not counted, and the page says so. Below the cap every figure
 * is exact.
 */

/** Matching entries counted at most; beyond it the insights cover the newest ones only. */
export const INSIGHTS_ROW_CAP = 100_000;
/**
 * Where the hourly roll-up gives the histogram and the category/result/level counts exactly, the
 * top lists are all that is scanned, over the newest this many: at 10M entries the default 7-day
 * view matches over 300,000, and reading 100,000 of them for four top-10 lists took seconds
 * (docs/performance.md, Insights). 20,000 took 84-100 ms in the database and left the page's p95
 * within a few ms of its 300 ms goal; 10,000 take 59-68 ms, as many as a free-word search counts.
 */
export const TOP_LISTS_CAP_BESIDE_ROLLUP = 10_000;
/**
 * A search with free words is counted over its newest this many matches, without counting them
 * all first: at 10M entries the 7-day insights of a common word ("deploy") took 7.5 s in the
 * database as a capped count followed by a grouping of every match (docs/performance.md,
 * Insights). An ordered scan that stops after this many matches is the explorer's own plan for
 * its page, run longer.
 */
export const FREE_WORD_ROW_CAP = 10_000;
/**
 * The explorer's compact histogram of a free-word search counts its newest this many matches.
 * It streams beside the table on every search, and at 10M entries the newest 10,000 of a common
 * word ("deploy": 47,731 matches in 7 days) cost 250 ms in the database, all matches fetched and
 * sorted, which made the explorer miss its 250 ms goal; the newest 2,000 are one ordered scan
 * that stops early, 42 ms (docs/performance.md). The Insights page keeps FREE_WORD_ROW_CAP.
 */
export const COMPACT_FREE_WORD_ROW_CAP = 2_000;
export const FACET_TOP = 10;

export interface Facet<K extends string = string> {
  /**
   * `key` is the value a link filters by (lower-cased email or actor id, action, target name,
   * address; null: none, such as "[nobody]"), `label` the stored spelling.
   */
  values: { key: K | null; label: string; count: number }[];
  /** How many distinct values there are in all (only the top ones are listed). */
  distinct: number;
}

export interface InsightCoverage {
  /** Entries counted: every match, or the newest `cap` of them. */
  counted: number;
  /** True when more entries match than were counted. */
  capped: boolean;
  /** The oldest counted entry's time when capped: buckets before it are not counted. */
  countedFromMs: number | null;
}

export interface SearchInsights {
  plan: BucketPlan;
  buckets: HistogramBucket[];
  /** Of the histogram and the category, result and level counts. */
  coverage: InsightCoverage;
  /**
   * Of the top actors, actions, targets and addresses: the same as `coverage`, except where the
   * hourly roll-up counted the histogram exactly while the top lists were capped.
   */
  topCoverage: InsightCoverage;
  categories: Facet<AuditCategory>;
  results: Facet<AuditResult>;
  levels: Facet<AuditLevel>;
  actors: Facet;
  actions: Facet;
  targets: Facet;
  ips: Facet;
}

export interface InsightOptions {
  now?: Date;
  /** False: the histogram alone (the explorer's compact chart), reading fewer columns. */
  facets?: boolean;
  cap?: number;
  /** Matches of a free-word search counted at most (FREE_WORD_ROW_CAP); `cap` bounds it too. */
  freeWordCap?: number;
  db?: Executor;
}

const epochMs = (instant: SQL) => sql`(extract(epoch from ${instant}) * 1000)::bigint`;

// grouping(bucket, result, category, level, actor_key, action_key, target_key, ip_key): a 1 bit
// for each column the row is not grouped by, the first column being the highest bit.
const GROUPING_KIND = `case grouping(bucket, result, category, level, actor_key, action_key, target_key, ip_key)
      when ${0b00111111} then 'histogram' when ${0b11011111} then 'category' when ${0b11101111} then 'level'
      when ${0b11110111} then 'actor' when ${0b11111011} then 'action' when ${0b11111101} then 'target'
      else 'ip' end`;

const FACET_SELECT = sql.raw(`${GROUPING_KIND} as kind,
    bucket, result,
    coalesce(category::text, level::text, actor_key, action_key, target_key, ip_key) as value,
    min(actor_label) as actor_label, min(action_label) as action_label, min(target_label) as target_label`);
// The histogram alone: only its grouping's columns may be named.
const HISTOGRAM_SELECT = sql.raw(`'histogram' as kind, bucket, result, null::text as value,
    null::text as actor_label, null::text as action_label, null::text as target_label`);

type GroupRow = {
  kind: string;
  bucket: string | number | null;
  result: AuditResult | null;
  value: string | null;
  actor_label: string | null;
  action_label: string | null;
  target_label: string | null;
  n: number;
  n_distinct: number;
  oldest: string | number | null;
};

const LABEL_OF: Record<string, keyof GroupRow> = {
  actor: "actor_label",
  action: "action_label",
  target: "target_label",
};

async function matchBounds(db: Executor, selection: AuditSelection) {
  const t = asLiveShape(auditTableFor(selection.params.scope));
  const [row] = await queryRows<{ oldest: string | number | null; newest: string | number | null }>(
    db,
    sql`select ${epochMs(sql`min(${t.occurredAt})`)} as oldest, ${epochMs(sql`max(${t.occurredAt})`)} as newest
        from ${t} where ${selectionWhere(t, selection)}`,
  );
  const ms = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return { oldestMs: ms(row?.oldest), newestMs: ms(row?.newest) };
}

function facetOf<K extends string>(rows: GroupRow[], kind: string): Facet<K> {
  const own = rows.filter((r) => r.kind === kind);
  return {
    values: own.map((r) => {
      const label = LABEL_OF[kind] ? r[LABEL_OF[kind]] : null;
      return { key: r.value as K | null, label: typeof label === "string" ? label : (r.value ?? ""), count: r.n };
    }),
    distinct: own[0]?.n_distinct ?? 0,
  };
}

/** The histogram and the facets of a selection, from one scan of its matching rows. */
export async function readSearchInsights(
  selection: AuditSelection,
  {
    now = new Date(),
    cap = INSIGHTS_ROW_CAP,
    freeWordCap = FREE_WORD_ROW_CAP,
    db = getReadDb(),
    facets = true,
  }: InsightOptions = {},
): Promise<SearchInsights> {
  const { params } = selection;
  const t = asLiveShape(auditTableFor(params.scope));
  const where = selectionWhere(t, selection);
  // An open start has no length to fit buckets to: the matching entries' own span gives it.
  const seen = params.range.from === null ? await matchBounds(db, selection) : undefined;
  const plan0 = bucketPlan(params.range, params.tz, now.getTime(), seen);
  const size = sql`${`${plan0.sizeMs} milliseconds`}::interval`;
  const origin = sql`${new Date(plan0.originMs).toISOString()}::timestamptz`;
  const limit = Math.max(1, Math.floor(cap));
  // The explorer's default view and its type/result/level narrowings: whole hours from the roll-up.
  const hourly = await readHourlyCounts(db, selection, plan0, { facets });
  if (hourly && !facets) {
    const part = hourlyPart(plan0, hourly);
    return { ...part, topCoverage: part.coverage, actors: NO_TOP, actions: NO_TOP, targets: NO_TOP, ips: NO_TOP };
  }
  if (hourly) {
    return { ...hourlyPart(plan0, hourly), ...(await readTopLists(db, selection, hourlyTotal(hourly), limit)) };
  }
  const facetColumns = sql`${t.category} as category, ${t.level} as level,
    case when ${t.actorEmail} is not null then lower(${t.actorEmail}) else ${t.actorId} end as actor_key,
    coalesce(${t.actorName}, ${t.actorEmail}, ${t.actorId}) as actor_label,
    lower(${t.action}) as action_key, ${t.action} as action_label,
    lower(${t.targetName}) as target_key, ${t.targetName} as target_label,
    host(${t.ip}) as ip_key`;
  // The same columns, empty, so the grouping below reads alike either way.
  const noFacetColumns = sql`null::audit_category as category, null::audit_level as level, null::text as actor_key,
    null::text as actor_label, null::text as action_key, null::text as action_label, null::text as target_key,
    null::text as target_label, null::text as ip_key`;

  /*
   * A capped count first (an index range that stops at cap + 1): under the cap the grouping reads
   * the matching rows as the planner likes (no order, nothing materialized); over it, the newest
   * `cap` rows (an ordered scan that stops there). Keys are the values the explorer filters by: the
   * lower-cased email (`user=`), lower-cased action (`action:`), lower-cased target name
   * (`resource:`) and the address (`ip:`).
   *
   * With free words there is no count: the newest FREE_WORD_ROW_CAP + 1 matches are read in order,
   * the newest FREE_WORD_ROW_CAP of them counted, and the one more tells whether more match.
   */
  const sampled = selection.search.terms.some((term) => term.text !== "");
  const sampleSize = Math.max(1, Math.min(limit, Math.floor(freeWordCap)));
  const columns = sql`${t.occurredAt} as occurred_at, ${t.result} as result, ${facets ? facetColumns : noFacetColumns}`;
  let src: SQL;
  let capped = false;
  if (sampled) {
    src = sql`select k.*, row_number() over (order by occurred_at desc) as rn
      from (select ${columns} from ${t} where ${where} order by ${t.occurredAt} desc, ${t.id} desc limit ${sampleSize + 1}) k`;
  } else {
    const count = await countMatching(selection, { cap: limit, db });
    capped = !count.exact;
    src = capped
      ? sql`select ${columns} from ${t} where ${where} order by ${t.occurredAt} desc, ${t.id} desc limit ${limit}`
      : sql`select ${columns} from ${t} where ${where}`;
  }
  const rows = await queryRows<GroupRow & { scanned: number }>(
    db,
    sql`
with src as (${src}),
g as (
  select
    ${facets ? FACET_SELECT : HISTOGRAM_SELECT},
    count(*)::int as n, ${epochMs(sql`min(occurred_at)`)} as oldest
  -- Buckets stay timestamps until grouped: milliseconds (numeric arithmetic) once per group, not per row.
  from (select k.*, date_bin(${size}, occurred_at, ${origin}) as bucket
        from src k ${sampled ? sql`where rn <= ${sampleSize}` : sql``}) b
  group by grouping sets ((bucket, result)${facets ? sql.raw(", (category), (level), (actor_key), (action_key), (target_key), (ip_key)") : sql``})
),
ranked as (
  select g.*, row_number() over (partition by kind order by n desc, value) as rk,
    count(*) over (partition by kind)::int as n_distinct
  from g
)
select kind, ${epochMs(sql`bucket`)} as bucket, result, value, actor_label, action_label, target_label, n, n_distinct, oldest,
  ${sampled ? sql`(select count(*) from src)::int` : sql`0`} as scanned
from ranked
where kind in ('histogram', 'category', 'level') or rk <= ${FACET_TOP}`,
  );
  // The one row past the sample, when the scan found it, is what says that more match.
  if (sampled) capped = (rows[0]?.scanned ?? 0) > sampleSize;

  const scanned = histogramPart(
    plan0,
    rows.filter((r) => r.kind === "histogram").map((r) => ({ startMs: Number(r.bucket), result: r.result!, n: r.n })),
    capped ? Math.min(...rows.filter((r) => r.kind === "histogram").map((r) => Number(r.oldest))) : null,
  );
  return {
    ...scanned,
    categories: facetOf<AuditCategory>(rows, "category"),
    levels: facetOf<AuditLevel>(rows, "level"),
    topCoverage: scanned.coverage,
    actors: facetOf(rows, "actor"),
    actions: facetOf(rows, "action"),
    targets: facetOf(rows, "target"),
    ips: facetOf(rows, "ip"),
  };
}

type HistogramPart = Pick<SearchInsights, "plan" | "buckets" | "coverage" | "results">;

function histogramPart(
  plan0: BucketPlan,
  histogram: { startMs: number; result: AuditResult; n: number }[],
  countedFromMs: number | null,
): HistogramPart {
  const starts = histogram.map((h) => h.startMs);
  const plan: BucketPlan =
    starts.length === 0
      ? plan0
      : {
          ...plan0,
          fromMs: Math.min(plan0.fromMs, ...starts),
          toMs: Math.max(plan0.toMs, ...starts.map((s) => s + plan0.sizeMs)),
        };
  const buckets = fillBuckets(plan, histogram);
  const counted = buckets.reduce((sum, b) => sum + b.total, 0);
  const results = (["done", "failed", "pending", "processing"] as const)
    .map((result) => ({
      key: result,
      label: result,
      count: buckets.reduce((sum, b) => sum + b.counts[result], 0),
    }))
    .filter((v) => v.count > 0)
    .sort((a, b) => b.count - a.count);
  return {
    plan,
    buckets,
    coverage: { counted, capped: countedFromMs !== null, countedFromMs },
    results: { values: results, distinct: results.length },
  };
}

function facetFromCounts<K extends string>(counts: Map<K, number>): Facet<K> {
  const values = [...counts]
    .map(([key, count]) => ({ key, label: key as string, count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  return { values, distinct: values.length };
}

function hourlyPart(plan0: BucketPlan, hourly: HourlyCounts) {
  return {
    ...histogramPart(plan0, hourly.histogram, null),
    categories: facetFromCounts(hourly.categories),
    levels: facetFromCounts(hourly.levels),
  };
}

const NO_TOP: Facet = { values: [], distinct: 0 };

function hourlyTotal(hourly: HourlyCounts): number {
  return hourly.histogram.reduce((sum, h) => sum + h.n, 0);
}

// grouping(actor_key, action_key, target_key, ip_key): a 1 bit for each column a row is not
// grouped by, the first column the highest bit; () groups by none (15): the rows read.
const TOP_KIND = `case grouping(actor_key, action_key, target_key, ip_key)
      when ${0b0111} then 'actor' when ${0b1011} then 'action' when ${0b1101} then 'target'
      when ${0b1110} then 'ip' else 'read' end`;

/**
 * The four top lists alone, beside the roll-up's exact figures: the total is known, so there is
 * no count first, and the scan reads the newest `TOP_LISTS_CAP_BESIDE_ROLLUP` matches at most.
 */
async function readTopLists(
  db: Executor,
  selection: AuditSelection,
  total: number,
  cap: number,
): Promise<Pick<SearchInsights, "topCoverage" | "actors" | "actions" | "targets" | "ips">> {
  const t = asLiveShape(auditTableFor(selection.params.scope));
  const where = selectionWhere(t, selection);
  const limit = Math.min(cap, TOP_LISTS_CAP_BESIDE_ROLLUP);
  const capped = total > limit;
  const columns = sql`${t.occurredAt} as occurred_at,
    case when ${t.actorEmail} is not null then lower(${t.actorEmail}) else ${t.actorId} end as actor_key,
    coalesce(${t.actorName}, ${t.actorEmail}, ${t.actorId}) as actor_label,
    lower(${t.action}) as action_key, ${t.action} as action_label,
    lower(${t.targetName}) as target_key, ${t.targetName} as target_label,
    host(${t.ip}) as ip_key`;
  const source = capped
    ? sql`(select ${columns} from ${t} where ${where} order by ${t.occurredAt} desc, ${t.id} desc limit ${limit})`
    : sql`(select ${columns} from ${t} where ${where})`;
  const rows = await queryRows<GroupRow>(
    db,
    sql`
with g as (
  select ${sql.raw(TOP_KIND)} as kind, null::bigint as bucket, null::audit_result as result,
    coalesce(actor_key, action_key, target_key, ip_key) as value,
    min(actor_label) as actor_label, min(action_label) as action_label, min(target_label) as target_label,
    count(*)::int as n, ${epochMs(sql`min(occurred_at)`)} as oldest
  from ${source} k
  group by grouping sets ((actor_key), (action_key), (target_key), (ip_key), ())
),
ranked as (
  select g.*, row_number() over (partition by kind order by n desc, value) as rk,
    count(*) over (partition by kind)::int as n_distinct
  from g
)
select kind, bucket, result, value, actor_label, action_label, target_label, n, n_distinct, oldest from ranked
where kind = 'read' or rk <= ${FACET_TOP}`,
  );
  const read = rows.find((r) => r.kind === "read");
  return {
    topCoverage: {
      counted: read?.n ?? 0,
      capped,
      countedFromMs: capped && read?.oldest != null ? Number(read.oldest) : null,
    },
    actors: facetOf(rows, "actor"),
    actions: facetOf(rows, "action"),
    targets: facetOf(rows, "target"),
    ips: facetOf(rows, "ip"),
  };
}
