"use client";

import { useRouter } from "next/navigation";
import Link from "next/link";
import { useId, useMemo, useState, type KeyboardEvent } from "react";
import { Bar, BarChart, CartesianGrid, ReferenceArea, XAxis, YAxis } from "recharts";
import { Button } from "@/components/ui/button";
import {
  ChartContainer,
  ChartLegendContent,
  ChartTooltip,
  ChartTooltipContent,
  type ChartConfig,
} from "@/components/ui/chart";
import { axisTicks } from "@/lib/audit-log/axis-ticks";
import {
  bucketSizeText,
  periodOverrides,
  RESULTS,
  shortTimeText,
  unpackBuckets,
  type PackedBuckets,
  type ResultCounts,
} from "@/lib/audit-log/insight-buckets";
import { RESULT_LABELS } from "@/lib/audit-log/labels";
import { explorerHref, type ExplorerParams } from "@/lib/audit-log/search-params";
import { cn } from "@/lib/utils";

export interface ChartBucket extends ResultCounts {
  startMs: number;
  endMs: number;
  total: number;
}

export interface EntriesOverTimeProps {
  /** Packed (lib/audit-log/insight-buckets.ts): the props travel in the page twice. */
  packed: PackedBuckets;
  /** Set when the counts cover only the newest entries: buckets before this instant are not counted. */
  countedFromMs: number | null;
  /** Where a selected range of buckets leads: this page with the period narrowed. */
  pathname: string;
  params: ExplorerParams;
  compact?: boolean;
}

const chartConfig = {
  done: { label: RESULT_LABELS.done, color: "var(--success)" },
  failed: { label: RESULT_LABELS.failed, color: "var(--destructive)" },
  pending: { label: RESULT_LABELS.pending, color: "var(--warning)" },
  processing: { label: RESULT_LABELS.processing, color: "var(--info)" },
} satisfies ChartConfig;

const NUMBER = new Intl.NumberFormat("en-US");
/** Labels the axis has room for; Recharts still drops one that would overlap (minTickGap). */
const COMPACT_TICKS = 6;
const FULL_TICKS = 10;
const DAY = 86_400_000;

const timeText = shortTimeText;

function rangeText(fromMs: number, toMs: number, tz: string, sizeMs: number): string {
  const withTime = sizeMs < DAY;
  const from = timeText(fromMs, tz, withTime);
  if (toMs - fromMs <= sizeMs && !withTime) return from;
  return `${from} – ${timeText(toMs, tz, withTime)}`;
}

function countsText(b: ChartBucket): string {
  const parts = RESULTS.filter((r) => b[r] > 0).map((r) => `${RESULT_LABELS[r]} ${NUMBER.format(b[r])}`);
  return `${NUMBER.format(b.total)} ${b.total === 1 ? "entry" : "entries"}${parts.length ? ` (${parts.join(", ")})` : ""}`;
}

/**
 * "Entries over time": the search's entries per time bucket, stacked by result. Dragging across
 * buckets, or choosing them with the arrow keys (Shift extends, Enter opens), narrows the period
 * to them: a link to the same page with `period=custom&from&to`. The table view shows the same
 * numbers, each row a link to its bucket.
 */
export function EntriesOverTime({ packed, countedFromMs, pathname, params, compact = false }: EntriesOverTimeProps) {
  const router = useRouter();
  const helpId = useId();
  const [table, setTable] = useState(false);
  const [anchor, setAnchor] = useState<number | null>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  const [dragging, setDragging] = useState(false);
  const tz = params.tz;
  const sizeMs = packed.sizeMs;
  const buckets: ChartBucket[] = useMemo(
    () => unpackBuckets(packed).map((b) => ({ startMs: b.startMs, endMs: b.endMs, total: b.total, ...b.counts })),
    [packed],
  );

  const data = useMemo(
    () =>
      buckets.map((b) => ({
        ...b,
        key: String(b.startMs),
        notCounted: countedFromMs !== null && b.endMs <= countedFromMs,
      })),
    [buckets, countedFromMs],
  );
  const total = buckets.reduce((sum, b) => sum + b.total, 0);
  const selection =
    anchor !== null && cursor !== null && Math.max(anchor, cursor) < buckets.length
      ? { lo: Math.min(anchor, cursor), hi: Math.max(anchor, cursor) }
      : null;

  const hrefFor = (lo: number, hi: number) => {
    const first = buckets[lo];
    const last = buckets[hi];
    if (!first || !last) return null;
    return explorerHref(pathname, params, periodOverrides(first.startMs, last.endMs));
  };
  const open = (lo: number, hi: number) => {
    const href = hrefFor(lo, hi);
    // The chart stays mounted across the navigation, with other buckets: no index may outlive it.
    setDragging(false);
    setAnchor(null);
    setCursor(null);
    if (href) router.push(href, { scroll: false });
  };

  const indexOf = (state: { activeTooltipIndex?: unknown } | null | undefined): number | null => {
    const raw = state?.activeTooltipIndex;
    const index = typeof raw === "number" ? raw : typeof raw === "string" && raw !== "" ? Number(raw) : NaN;
    return Number.isInteger(index) && index >= 0 && index < buckets.length ? index : null;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (buckets.length === 0) return;
    const last = buckets.length - 1;
    const step = (to: number) => {
      const next = Math.max(0, Math.min(last, to));
      if (!event.shiftKey || anchor === null) setAnchor(next);
      setCursor(next);
      event.preventDefault();
    };
    const at = cursor ?? last;
    switch (event.key) {
      case "ArrowLeft":
        return step(cursor === null ? last : at - 1);
      case "ArrowRight":
        return step(cursor === null ? last : at + 1);
      case "Home":
        return step(0);
      case "End":
        return step(last);
      case "Enter":
      case " ":
        if (selection) {
          event.preventDefault();
          open(selection.lo, selection.hi);
        }
        return;
      case "Escape":
        setAnchor(null);
        setCursor(null);
        return;
    }
  };

  const status = selection
    ? selection.lo === selection.hi
      ? `${rangeText(buckets[selection.lo]!.startMs, buckets[selection.lo]!.endMs, tz, sizeMs)}: ${countsText(buckets[selection.lo]!)}. Enter shows these entries.`
      : `${rangeText(buckets[selection.lo]!.startMs, buckets[selection.hi]!.endMs, tz, sizeMs)}: ${buckets.length && NUMBER.format(buckets.slice(selection.lo, selection.hi + 1).reduce((s, b) => s + b.total, 0))} entries in ${selection.hi - selection.lo + 1} buckets. Enter shows these entries.`
    : "";
  const withTime = sizeMs < DAY;
  const ticks = useMemo(
    () =>
      axisTicks(
        buckets.map((b) => b.startMs),
        sizeMs,
        tz,
        compact ? COMPACT_TICKS : FULL_TICKS,
      ),
    [buckets, sizeMs, tz, compact],
  );
  const tickLabels = new Map(ticks.map((t) => [String(t.startMs), t.label]));
  const notCountedEnd = data.findLast((d) => d.notCounted)?.key;

  return (
    <div
      className={cn("grid gap-2", compact ? "text-xs" : "text-sm")}
      data-insights-histogram={compact ? "compact" : "full"}
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-muted-foreground" id={helpId}>
          {NUMBER.format(total)} {total === 1 ? "entry" : "entries"}
          {countedFromMs !== null ? " counted" : ""}, {bucketSizeText(sizeMs)} per bar.{" "}
          <span className={compact ? "sr-only" : undefined}>
            Drag across bars, or use the arrow keys (Shift to extend, Enter to open), to narrow the period.
          </span>
        </p>
        <Button
          type="button"
          variant="ghost"
          size="sm"
          className="h-7 px-2 text-xs"
          aria-pressed={table}
          onClick={() => setTable((v) => !v)}
        >
          Table view
        </Button>
      </div>
      {countedFromMs !== null ? (
        <p className="text-xs text-warning" data-sampled>
          Sampled: only the newest matching entries are counted, from {timeText(countedFromMs, tz, true)} on. Earlier
          bars (hatched) are not counted.
          {compact ? (
            <>
              {" "}
              <Link
                prefetch={false}
                href={explorerHref(`${pathname}/insights`, params, {})}
                className="underline underline-offset-2"
              >
                Insights
              </Link>{" "}
              counts more of them.
            </>
          ) : null}
        </p>
      ) : null}
      {table ? (
        <div className={cn("overflow-auto rounded-md border", compact ? "max-h-48" : "max-h-96")}>
          <table className="w-full text-xs tabular-nums">
            <caption className="sr-only">Entries over time, {bucketSizeText(sizeMs)} per row</caption>
            <thead className="sticky top-0 bg-muted">
              <tr>
                <th scope="col" className="px-2 py-1 text-left font-medium">
                  From
                </th>
                {RESULTS.map((r) => (
                  <th key={r} scope="col" className="px-2 py-1 text-right font-medium">
                    {RESULT_LABELS[r]}
                  </th>
                ))}
                <th scope="col" className="px-2 py-1 text-right font-medium">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((b, i) => (
                <tr key={b.key} className="border-t">
                  <th scope="row" className="px-2 py-1 text-left font-normal">
                    <Link
                      prefetch={false}
                      href={hrefFor(i, i) ?? pathname}
                      scroll={false}
                      className="underline-offset-2 hover:underline"
                    >
                      {timeText(b.startMs, tz, withTime)}
                    </Link>
                  </th>
                  {b.notCounted ? (
                    <td colSpan={RESULTS.length + 1} className="px-2 py-1 text-right text-muted-foreground">
                      not counted
                    </td>
                  ) : (
                    <>
                      {RESULTS.map((r) => (
                        <td key={r} className="px-2 py-1 text-right">
                          {NUMBER.format(b[r])}
                        </td>
                      ))}
                      <td className="px-2 py-1 text-right font-medium">{NUMBER.format(b.total)}</td>
                    </>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <div
          role="group"
          aria-label="Entries over time"
          aria-describedby={helpId}
          tabIndex={0}
          onKeyDown={onKeyDown}
          className="rounded-md outline-none select-none focus-visible:ring-2 focus-visible:ring-ring"
          data-testid="entries-over-time"
        >
          <ChartContainer config={chartConfig} className={cn("aspect-auto w-full", compact ? "h-24" : "h-64 sm:h-72")}>
            <BarChart
              data={data}
              margin={compact ? { top: 4, right: 4, bottom: 0, left: 4 } : { top: 8, right: 8, bottom: 0, left: 0 }}
              barCategoryGap={1}
              onMouseDown={(state) => {
                const index = indexOf(state);
                if (index === null) return;
                setDragging(true);
                setAnchor(index);
                setCursor(index);
              }}
              onMouseMove={(state) => {
                if (!dragging) return;
                const index = indexOf(state);
                if (index !== null) setCursor(index);
              }}
              onMouseUp={(state) => {
                if (!dragging || anchor === null) return;
                setDragging(false);
                const end = indexOf(state) ?? cursor ?? anchor;
                open(Math.min(anchor, end), Math.max(anchor, end));
              }}
              onMouseLeave={() => {
                if (dragging) {
                  setDragging(false);
                  setAnchor(null);
                  setCursor(null);
                }
              }}
            >
              {compact ? null : <CartesianGrid vertical={false} />}
              <XAxis
                dataKey="key"
                ticks={ticks.map((t) => String(t.startMs))}
                tickLine={false}
                axisLine={false}
                minTickGap={compact ? 48 : 32}
                tickMargin={4}
                height={compact ? 22 : 24}
                tickFormatter={(key: string) => tickLabels.get(key) ?? ""}
              />
              {compact ? null : (
                <YAxis
                  tickLine={false}
                  axisLine={false}
                  width={48}
                  allowDecimals={false}
                  tickFormatter={(v: number) => NUMBER.format(v)}
                />
              )}
              <ChartTooltip
                cursor={!compact}
                content={({ active, payload, label }) => (
                  <ChartTooltipContent
                    active={active}
                    payload={payload}
                    label={label}
                    labelFormatter={(l) => timeText(Number(l), tz, true)}
                    valueFormatter={(v) => NUMBER.format(Number(v))}
                  />
                )}
              />
              {notCountedEnd !== undefined ? (
                <ReferenceArea
                  x1={data[0]!.key}
                  x2={notCountedEnd}
                  fill="var(--muted)"
                  fillOpacity={0.8}
                  ifOverflow="visible"
                />
              ) : null}
              {RESULTS.map((r) => (
                <Bar key={r} dataKey={r} stackId="results" fill={`var(--color-${r})`} isAnimationActive={false} />
              ))}
              {selection ? (
                <ReferenceArea
                  x1={data[selection.lo]!.key}
                  x2={data[selection.hi]!.key}
                  fill="var(--primary)"
                  fillOpacity={0.12}
                  stroke="var(--primary)"
                  strokeOpacity={0.4}
                />
              ) : null}
            </BarChart>
          </ChartContainer>
          {compact ? null : <ChartLegendContent className="pt-1" keys={RESULTS} config={chartConfig} />}
          <p className="sr-only" aria-live="polite">
            {status}
          </p>
        </div>
      )}
    </div>
  );
}
