import { BarChart3 } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { requirePageAccess } from "@/lib/auth/access";
import { env } from "@/lib/env";
import { readerTimeZone } from "@/lib/preferences/reader-time-zone";
import { TimeZoneProvider } from "@/components/time/local-time";
import { readPreferences } from "@/lib/preferences/queries";
import { listSavedViews } from "@/lib/saved-views/queries";
import { retentionBannerInfo } from "@/lib/retention/banner-info";
import { AccessRequestOutcome } from "@/components/access-requests/access-request-outcome";
import { AccessRequestNotice } from "./components/access-request-notice";
import { DeepLinkNotice } from "./components/deep-link-notice";
import { EmptyState } from "./components/empty-state";
import { ExportDialog } from "./components/export-dialog";
import { pagePositionText } from "./components/entry-count";
import { ExplorerLayoutProvider } from "./components/explorer-layout";
import { ExplorerView } from "./components/explorer-view";
import { FilterChips } from "./components/filter-chips";
import { FilterPanel } from "./components/filter-panel";
import { CompactHistogram } from "./components/histogram-panel";
import { CompactHistogramSkeleton, HistogramSlot } from "./components/histogram-slot";
import { ParamsNotice } from "./components/params-notice";
import { PeriodConflictNotice } from "./components/period-conflict-notice";
import { RetentionBanner } from "./components/retention-banner";
import { SavedViews } from "./components/saved-views";
import { SearchBar } from "./components/search-bar";
import { ViewOptions } from "./components/view-options";
import { explorerHref, serializeExplorerParams, type RawSearchParams } from "@/lib/audit-log/search-params";
import { rawQueryString, selectionFromParams } from "@/lib/audit-log/selection";
import { loadExplorer } from "@/lib/audit-log/load-explorer";
import { periodConflict } from "@/lib/audit-log/period-conflict";
import { COMPACT_FREE_WORD_ROW_CAP, readSearchInsights } from "@/lib/audit-log/insights";
import { personName } from "@/lib/audit-log/people-search";

export const metadata: Metadata = { title: "Audit Log" };

function currentUrl(org: string, raw: RawSearchParams): string {
  const text = rawQueryString(raw);
  return `/orgs/${org}/audit-logs${text ? `?${text}` : ""}`;
}

// The filter chip shows the person's name next to the email or id the URL carries.
async function userNameFor(orgId: string, user: string | null): Promise<string | null> {
  return user ? personName(orgId, user) : null;
}

/**
 * The log explorer. Every state is in the URL: the params are read once, the search language
 * parsed once, and the page, its count and the selected entry are read in parallel on the server.
 */
export default async function AuditLogsPage({ params, searchParams }: PageProps<"/orgs/[org]/audit-logs">) {
  const { org } = await params;
  const raw = (await searchParams) as RawSearchParams;
  const { access, allowed } = await requirePageAccess(org, "audit.view", currentUrl(org, raw));
  if (!allowed) return <AccessRequestNotice access={access} />;

  const reader = await readerTimeZone();
  const { selection, problems } = selectionFromParams(access.org.id, raw, undefined, reader.zone);
  const explorer = selection.params;
  const pathname = `/orgs/${access.org.slug}/audit-logs`;
  // Already read for the reader's time zone (one read per request): it costs the page no wait.
  const preferences = await readPreferences(access.user.id);
  // Started beside the page's own reads and awaited in its Suspense boundary: the table never
  // waits for the histogram. A failure is shown there, not thrown after the page has streamed.
  // Hidden, it is not read at all.
  const histogram = preferences.chart
    ? readSearchInsights(selection, { facets: false, freeWordCap: COMPACT_FREE_WORD_ROW_CAP }).catch(
        (error: unknown) => {
          console.error("[audit-console] explorer histogram:", error);
          return null;
        },
      )
    : null;
  const [data, userName, retention, views] = await Promise.all([
    loadExplorer(selection),
    userNameFor(access.org.id, explorer.user),
    retentionBannerInfo(access.org.id, { from: explorer.range.from, categories: explorer.type, scope: explorer.scope }),
    listSavedViews(access),
  ]);
  const conflict = periodConflict(explorer.range, selection.search);
  // New entries would appear above the top of a newest-first listing of the live log, nowhere else.
  const atNewest =
    explorer.scope === "live" && explorer.sort === "time" && explorer.dir === "desc" && !data.page.hasPrev;
  const archiveHref = retention.archiveEnabled
    ? explorerHref(pathname, explorer, { scope: "archive", cursor: null, entry: null })
    : null;

  return (
    <TimeZoneProvider zone={explorer.tz}>
      <ExplorerLayoutProvider
        orgSlug={access.org.slug}
        initial={{ columns: preferences.columns, density: preferences.density, chart: preferences.chart }}
      >
        <div className="group/explorer flex min-w-0 flex-col gap-4 p-4 md:p-6">
          <header className="flex flex-wrap items-end justify-between gap-2">
            <div className="grid gap-0.5">
              <h1 className="text-xl font-semibold tracking-tight">Audit Log</h1>
              <p className="text-sm text-muted-foreground">
                Who did what in {access.org.name}
                {explorer.scope === "archive" ? ", from the archive" : ""}.
              </p>
            </div>
            <div className="flex flex-wrap items-center gap-2">
              <SavedViews
                orgSlug={access.org.slug}
                orgName={access.org.name}
                pathname={pathname}
                currentSearch={serializeExplorerParams(explorer, { cursor: null, entry: null }).toString()}
                views={views}
                canManage={access.permissions.has("audit.manage")}
              />
              <Link
                prefetch={false}
                href={explorerHref(`${pathname}/insights`, explorer, { cursor: null, entry: null })}
                className="inline-flex h-8 items-center gap-1.5 rounded-md border px-3 text-sm hover:bg-accent"
              >
                <BarChart3 className="size-4" aria-hidden />
                Insights
              </Link>
              <ExportDialog orgSlug={access.org.slug} canExport={access.permissions.has("audit.export")} />
            </div>
          </header>

          <AccessRequestOutcome access={access} permission="audit.view" />
          <div className="flex flex-wrap items-start gap-2">
            <FilterPanel orgSlug={access.org.slug} params={explorer} userName={userName} />
            <SearchBar orgSlug={access.org.slug} />
            <ViewOptions />
          </div>
          <FilterChips pathname={pathname} params={explorer} userName={userName} />
          <PeriodConflictNotice pathname={pathname} params={explorer} conflict={conflict} />
          <ParamsNotice problems={problems} />
          <RetentionBanner info={retention} archiveHref={archiveHref} />
          <DeepLinkNotice pathname={pathname} params={explorer} state={data.deepLink} />

          <HistogramSlot
            chart={
              histogram ? (
                <Suspense fallback={<CompactHistogramSkeleton />}>
                  <CompactHistogram
                    insights={histogram}
                    pathname={pathname}
                    params={{ ...explorer, cursor: null, entry: null }}
                  />
                </Suspense>
              ) : null
            }
          />

          <ExplorerView
            orgSlug={access.org.slug}
            params={explorer}
            entries={data.page.entries}
            prevCursor={data.page.hasPrev ? data.page.prevCursor : null}
            nextCursor={data.page.hasNext ? data.page.nextCursor : null}
            anchorCursor={data.anchorCursor}
            countText={pagePositionText(data.page.firstPosition, data.page.entries.length, data.count)}
            firstPosition={data.page.firstPosition}
            selected={data.selected}
            empty={<EmptyState pathname={pathname} params={explorer} conflict={conflict} />}
            newEntries={atNewest ? { pollSeconds: env.EXPLORER_POLL_SECONDS } : null}
          />
        </div>
      </ExplorerLayoutProvider>
    </TimeZoneProvider>
  );
}
