import type { SearchInsights } from "@/lib/audit-log/insights";
import type { ExplorerParams } from "@/lib/audit-log/search-params";
import { EntriesOverTime, type ChartBucket } from "./entries-over-time";

/** The histogram's buckets as the client component takes them (plain numbers). */
export function chartBuckets(insights: Pick<SearchInsights, "buckets">): ChartBucket[] {
  return insights.buckets.map((b) => ({ startMs: b.startMs, endMs: b.endMs, total: b.total, ...b.counts }));
}

/**
 * The explorer's compact histogram. It awaits its own read, inside a Suspense boundary, so the
 * table streams first; a failed read shows a line instead of failing the page.
 */
export async function CompactHistogram({
  insights,
  pathname,
  params,
}: {
  insights: Promise<SearchInsights | null>;
  pathname: string;
  params: ExplorerParams;
}) {
  const read = await insights;
  if (!read) return <p className="text-xs text-muted-foreground">The histogram could not be read.</p>;
  return (
    <EntriesOverTime
      compact
      buckets={chartBuckets(read)}
      sizeMs={read.plan.sizeMs}
      countedFromMs={read.coverage.countedFromMs}
      pathname={pathname}
      params={params}
    />
  );
}
