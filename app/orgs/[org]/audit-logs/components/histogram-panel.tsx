import { packBuckets, type PackedBuckets } from "@/lib/audit-log/insight-buckets";
import type { SearchInsights } from "@/lib/audit-log/insights";
import type { ExplorerParams } from "@/lib/audit-log/search-params";
import { EntriesOverTime } from "./entries-over-time";

/** The histogram's buckets as the client component takes them. */
export function chartBuckets(insights: Pick<SearchInsights, "buckets" | "plan">): PackedBuckets {
  return packBuckets(insights.buckets, insights.plan.sizeMs);
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
      packed={chartBuckets(read)}
      countedFromMs={read.coverage.countedFromMs}
      pathname={pathname}
      params={params}
    />
  );
}
