import { SearchX } from "lucide-react";
import Link from "next/link";
import { buttonVariants } from "@/components/ui/button";
import type { PeriodConflict } from "@/lib/audit-log/period-conflict";
import { explorerHref, PANEL_FILTERS_CLEARED, type ExplorerParams } from "@/lib/audit-log/search-params";
import { periodText } from "./filter-chips";
import { ANY_TIME_ACTION, anyTimeHref } from "./period-conflict-notice";

function hasFilters(params: ExplorerParams): boolean {
  return (
    params.period !== "7d" ||
    params.type.length > 0 ||
    params.user !== null ||
    params.result.length > 0 ||
    params.q.trim() !== ""
  );
}

/** No rows: say why, and offer the way out (reset, or a longer period). */
export function EmptyState({
  pathname,
  params,
  conflict = null,
}: {
  pathname: string;
  params: ExplorerParams;
  conflict?: PeriodConflict;
}) {
  if (conflict === "outside") {
    // Not "no entries": the search's own dates were never searched.
    return (
      <div className="mx-auto grid max-w-md justify-items-center gap-2 py-6 text-center">
        <SearchX className="size-8 text-muted-foreground" aria-hidden />
        <p className="font-medium">The created: range is outside the period</p>
        <p className="text-sm text-muted-foreground">
          Both limits apply, and the period ({periodText(params)}) wins: the dates in the search were not searched.
        </p>
        <Link
          prefetch={false}
          href={anyTimeHref(pathname, params)}
          scroll={false}
          className={buttonVariants({ size: "sm" })}
        >
          {ANY_TIME_ACTION}
        </Link>
      </div>
    );
  }
  const filtered = hasFilters(params);
  const href = filtered
    ? explorerHref(pathname, params, { ...PANEL_FILTERS_CLEARED, q: "", entry: null })
    : explorerHref(pathname, params, { period: "30d", entry: null });
  return (
    <div className="mx-auto grid max-w-sm justify-items-center gap-2 py-6">
      <SearchX className="size-8 text-muted-foreground" aria-hidden />
      <p className="font-medium">{filtered ? "No entries match these filters" : "No entries in the last 7 days"}</p>
      <p className="text-sm text-muted-foreground">
        {filtered
          ? "Try a longer period, fewer filters or other search words."
          : "Nothing was recorded in this organization recently."}
      </p>
      <Link prefetch={false} href={href} scroll={false} className={buttonVariants({ variant: "outline", size: "sm" })}>
        {filtered ? "Reset filters and search" : "Show the last 30 days"}
      </Link>
    </div>
  );
}
