import { BarChart3, ListTree } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { requirePageAccess } from "@/lib/auth/access";
import { readerTimeZone } from "@/lib/preferences/reader-time-zone";
import { entryCountText } from "../components/entry-count";
import { AccessRequestNotice } from "../components/access-request-notice";
import { EntriesOverTime } from "../components/entries-over-time";
import { FilterChips } from "../components/filter-chips";
import { chartBuckets } from "../components/histogram-panel";
import { ParamsNotice } from "../components/params-notice";
import { explorerHref, type RawSearchParams } from "@/lib/audit-log/search-params";
import { rawQueryString, selectionFromParams } from "@/lib/audit-log/selection";
import { Facets } from "./components/facets";
import { SecurityPatterns } from "./components/security-patterns";
import { loadInsights } from "./lib/queries";

export const metadata: Metadata = { title: "Insights" };

/**
 * The insights of the explorer's current search: the same search params, read by the same parser,
 * rendered on the server; only the chart hydrates. Every figure comes from the explorer's WHERE.
 */
export default async function InsightsPage({ params, searchParams }: PageProps<"/orgs/[org]/audit-logs/insights">) {
  const { org } = await params;
  const raw = (await searchParams) as RawSearchParams;
  const query = rawQueryString(raw);
  const { access, allowed } = await requirePageAccess(
    org,
    "audit.view",
    `/orgs/${org}/audit-logs/insights${query ? `?${query}` : ""}`,
  );
  if (!allowed) return <AccessRequestNotice access={access} />;

  const reader = await readerTimeZone();
  const { selection, problems } = selectionFromParams(access.org.id, raw, undefined, reader.zone);
  const explorer = { ...selection.params, cursor: null, entry: null };
  const explorerPath = `/orgs/${access.org.slug}/audit-logs`;
  const pathname = `${explorerPath}/insights`;
  const { insights, patterns } = await loadInsights({ ...selection, params: explorer });
  const { coverage } = insights;
  const countText = coverage.capped
    ? `more than ${entryCountText({ exact: false, atLeast: coverage.counted }).replace("+", "")}`
    : entryCountText({ exact: true, count: coverage.counted });

  return (
    <div className="flex min-w-0 flex-col gap-4 p-4 md:p-6">
      <header className="flex flex-wrap items-end justify-between gap-2">
        <div className="grid gap-0.5">
          <h1 className="text-xl font-semibold tracking-tight">Insights</h1>
          <p className="text-sm text-muted-foreground">
            The current search in {access.org.name}: <span data-insights-count>{countText}</span>.
          </p>
        </div>
        <nav aria-label="Views of this search" className="flex items-center gap-1.5">
          <Link
            prefetch={false}
            href={explorerHref(explorerPath, explorer)}
            className="inline-flex h-8 items-center gap-1.5 rounded-md border px-3 text-sm hover:bg-accent"
          >
            <ListTree className="size-4" aria-hidden />
            Show in the log
          </Link>
          <span
            aria-current="page"
            className="inline-flex h-8 items-center gap-1.5 rounded-md bg-secondary px-3 text-sm font-medium"
          >
            <BarChart3 className="size-4" aria-hidden />
            Insights
          </span>
        </nav>
      </header>
      <FilterChips pathname={pathname} params={explorer} userName={null} />
      <ParamsNotice problems={problems} />
      {explorer.q.trim() ? (
        <p className="text-sm">
          Search: <code className="rounded bg-muted px-1 py-0.5">{explorer.q}</code>
        </p>
      ) : null}

      <section aria-labelledby="insights-histogram" className="grid gap-2 rounded-lg border bg-card p-3 md:p-4">
        <h2 id="insights-histogram" className="text-base font-semibold">
          Entries over time
        </h2>
        <EntriesOverTime
          packed={chartBuckets(insights)}
          countedFromMs={coverage.countedFromMs}
          pathname={pathname}
          params={explorer}
        />
      </section>

      <section aria-labelledby="insights-facets" className="grid gap-2">
        <h2 id="insights-facets" className="text-base font-semibold">
          Facets
        </h2>
        {insights.topCoverage.capped ? (
          <p className="text-xs text-warning">
            {coverage.capped ? "Counted" : "The top 10 lists are counted"} over the newest{" "}
            {insights.topCoverage.counted.toLocaleString("en-US")} matching entries only: a count marked + is at least
            that many.
          </p>
        ) : null}
        <Facets insights={insights} explorerPath={explorerPath} params={explorer} />
      </section>

      <section aria-labelledby="insights-security" className="grid gap-2" id="security">
        <h2 id="insights-security" className="text-base font-semibold">
          Security patterns
        </h2>
        <SecurityPatterns patterns={patterns} explorerPath={explorerPath} params={explorer} />
      </section>
    </div>
  );
}
