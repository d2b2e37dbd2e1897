import { auditResult, type AuditResult } from "@/db/schema/enums";
import { dayAround } from "./dates";
import type { ExplorerParams, ExplorerParamsOverrides } from "./search-params";

/*
 * The histogram's time axis: a bucket size fitted to the period, the buckets' boundaries, and the
 * period a selected run of buckets stands for. Pure: the server reads with it and the chart
 * builds its links with it, so both agree on every boundary.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Candidate sizes, smallest first; the first that keeps the period within MAX_BUCKETS wins. */
const BUCKET_SIZES = [
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  7 * DAY,
  30 * DAY,
] as const;

/** 96 quarter hours for a day, 168 hours for 7 days, 120 six-hour buckets for 30 days. */
export const MAX_BUCKETS = 200;

export interface BucketPlan {
  sizeMs: number;
  /** date_bin's origin: midnight in the reader's zone, so day and 6-hour buckets start there. */
  originMs: number;
  /** The axis: first bucket start and the end of the last bucket (exclusive). */
  fromMs: number;
  toMs: number;
}

export function bucketSizeFor(spanMs: number): number {
  return BUCKET_SIZES.find((size) => spanMs / size <= MAX_BUCKETS) ?? BUCKET_SIZES[BUCKET_SIZES.length - 1]!;
}

/**
 * The axis for a period. An open start (a custom period with only `to`) uses the oldest matching
 * entry, an open end the later of now and the newest one; entries outside the nominal period
 * (clocks ahead of ours) still get a bucket, so the buckets always add up to the search's count.
 */
export function bucketPlan(
  range: ExplorerParams["range"],
  tz: string,
  now: number,
  seen: { oldestMs: number | null; newestMs: number | null } = { oldestMs: null, newestMs: null },
): BucketPlan {
  const nominalTo = range.to === null ? now : Date.parse(range.to);
  const nominalFrom = range.from === null ? (seen.oldestMs ?? nominalTo - DAY) : Date.parse(range.from);
  const sizeMs = bucketSizeFor(Math.max(nominalTo - nominalFrom, MINUTE));
  const originMs = dayAround(nominalFrom, tz).from;
  const floor = (ms: number) => originMs + Math.floor((ms - originMs) / sizeMs) * sizeMs;
  const lo = Math.min(nominalFrom, seen.oldestMs ?? nominalFrom);
  const hi = Math.max(nominalTo - 1, seen.newestMs ?? nominalTo - 1);
  return { sizeMs, originMs, fromMs: floor(lo), toMs: floor(hi) + sizeMs };
}

export type ResultCounts = Record<AuditResult, number>;

export interface HistogramBucket {
  startMs: number;
  endMs: number;
  counts: ResultCounts;
  total: number;
}

export const RESULTS: readonly AuditResult[] = auditResult.enumValues;

export function emptyCounts(): ResultCounts {
  return { done: 0, failed: 0, pending: 0, processing: 0 };
}

/** Every bucket of the axis, empty ones included, with the counts read for it. */
export function fillBuckets(
  plan: BucketPlan,
  rows: readonly { startMs: number; result: AuditResult; n: number }[],
): HistogramBucket[] {
  const byStart = new Map<number, ResultCounts>();
  for (const row of rows) {
    const counts = byStart.get(row.startMs) ?? emptyCounts();
    counts[row.result] += row.n;
    byStart.set(row.startMs, counts);
  }
  const buckets: HistogramBucket[] = [];
  for (let start = plan.fromMs; start < plan.toMs; start += plan.sizeMs) {
    const counts = byStart.get(start) ?? emptyCounts();
    byStart.delete(start);
    buckets.push({ startMs: start, endMs: start + plan.sizeMs, counts, total: sumCounts(counts) });
  }
  // A bucket the plan did not foresee (it should not happen) is kept rather than dropped.
  for (const [start, counts] of byStart) {
    buckets.push({ startMs: start, endMs: start + plan.sizeMs, counts, total: sumCounts(counts) });
  }
  return buckets.sort((a, b) => a.startMs - b.startMs);
}

/**
 * A histogram's buckets as the chart's client component takes them: counts flattened, four per
 * bucket in RESULTS order, and the starts only when they leave the grid. The page sends its
 * props twice (HTML and the RSC payload); as objects, a 7-day hourly chart's were 22 KB of the
 * explorer's 330 KB page, packed about 3 KB.
 */
export interface PackedBuckets {
  fromMs: number;
  sizeMs: number;
  counts: number[];
  /** Present only when some bucket does not start at fromMs + i * sizeMs. */
  starts?: number[];
}

export function packBuckets(buckets: readonly HistogramBucket[], sizeMs: number): PackedBuckets {
  const fromMs = buckets[0]?.startMs ?? 0;
  const regular = buckets.every((b, i) => b.startMs === fromMs + i * sizeMs && b.endMs === b.startMs + sizeMs);
  return {
    fromMs,
    sizeMs,
    counts: buckets.flatMap((b) => RESULTS.map((r) => b.counts[r])),
    ...(regular ? {} : { starts: buckets.map((b) => b.startMs) }),
  };
}

export function unpackBuckets(packed: PackedBuckets): HistogramBucket[] {
  const n = packed.counts.length / RESULTS.length;
  return Array.from({ length: n }, (_, i) => {
    const counts = emptyCounts();
    RESULTS.forEach((r, j) => (counts[r] = packed.counts[i * RESULTS.length + j]!));
    const startMs = packed.starts?.[i] ?? packed.fromMs + i * packed.sizeMs;
    return { startMs, endMs: startMs + packed.sizeMs, counts, total: sumCounts(counts) };
  });
}

export function sumCounts(counts: ResultCounts): number {
  return counts.done + counts.failed + counts.pending + counts.processing;
}

/**
 * The explorer params for [fromMs, toMs): a custom period whose `to` is the last included
 * millisecond (a date-time `to` is inclusive), written as UTC instants so the zone cannot shift it.
 */
export function periodOverrides(fromMs: number, toMs: number): ExplorerParamsOverrides {
  return {
    period: "custom",
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs - 1).toISOString(),
    cursor: null,
    entry: null,
  };
}

export function bucketSizeText(sizeMs: number): string {
  if (sizeMs >= DAY) return sizeMs === DAY ? "1 day" : `${sizeMs / DAY} days`;
  if (sizeMs >= HOUR) return sizeMs === HOUR ? "1 hour" : `${sizeMs / HOUR} hours`;
  return sizeMs === MINUTE ? "1 minute" : `${sizeMs / MINUTE} minutes`;
}

// One formatter per zone: making an Intl.DateTimeFormat costs far more than using one, and a page
// writes hundreds of these labels (the chart's buckets, every burst): a CPU profile of the
// insights page at 10M entries had a new formatter per label among its costliest functions.
const SHORT_TIME_FORMATS = new Map<string, Intl.DateTimeFormat>();

function shortTimeFormat(tz: string): Intl.DateTimeFormat {
  let format = SHORT_TIME_FORMATS.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    SHORT_TIME_FORMATS.set(tz, format);
  }
  return format;
}

/** "Dec 3, 14:05" in the zone, from parts with a 24-hour clock: server and browser write the same. */
export function shortTimeText(ms: number, tz: string, withTime = true): string {
  const parts = shortTimeFormat(tz).formatToParts(new Date(ms));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = `${part("month")} ${part("day")}`;
  return withTime ? `${day}, ${part("hour")}:${part("minute")}` : day;
}
