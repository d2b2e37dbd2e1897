import { CalendarClock } from "lucide-react";
import Link from "next/link";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { buttonVariants } from "@/components/ui/button";
import { ANY_TIME, type PeriodConflict } from "@/lib/audit-log/period-conflict";
import { explorerHref, type ExplorerParams } from "@/lib/audit-log/search-params";
import { cn } from "@/lib/utils";
import { periodText } from "./filter-chips";
import { LinkPending } from "./link-pending";

/** The one-click way out: lift the period, so the search's created: range alone bounds the time. */
export function anyTimeHref(pathname: string, params: ExplorerParams): string {
  return explorerHref(pathname, params, { ...ANY_TIME, entry: null });
}

export const ANY_TIME_ACTION = "Search created: over any time";

/** What the reader is told when the period and a `created:` range in the search disagree. */
export function periodConflictText(conflict: Exclude<PeriodConflict, null>, period: string): string {
  return conflict === "outside"
    ? `The period wins: the created: range in the search lies outside the period (${period}), and both apply, so no entry can match.`
    : `The period wins: part of the created: range in the search lies outside the period (${period}); only entries inside both are listed.`;
}

/** Says which of the two time limits wins, beside the filters, with the way to let created: decide. */
export function PeriodConflictNotice({
  pathname,
  params,
  conflict,
}: {
  pathname: string;
  params: ExplorerParams;
  conflict: PeriodConflict;
}) {
  if (conflict === null) return null;
  return (
    <Alert variant="warning" role="status" aria-label="Period and created: disagree">
      <CalendarClock aria-hidden />
      <AlertTitle>The period limits the created: range</AlertTitle>
      <AlertDescription className="flex flex-wrap items-center gap-x-3 gap-y-1.5">
        <span>{periodConflictText(conflict, periodText(params))}</span>
        <Link
          prefetch={false}
          href={anyTimeHref(pathname, params)}
          scroll={false}
          className={cn(buttonVariants({ variant: "outline", size: "sm" }), "h-7")}
        >
          {ANY_TIME_ACTION}
          <LinkPending />
        </Link>
      </AlertDescription>
    </Alert>
  );
}
