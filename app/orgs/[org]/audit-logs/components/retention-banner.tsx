import { Archive, History } from "lucide-react";
import Link from "next/link";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import type { RetentionBannerInfo } from "@/lib/retention/banner-info";
import { CATEGORY_LABELS } from "@/lib/audit-log/labels";

/*
 * Shown above the table when the selected period reaches past a selected category's retention
 * cutoff (the KIOPS FAQ "Old logs are not visible"): say that older entries were removed by the
 * retention policy, when, and where the archive is if there is one. Categories with the same
 * retention share a line, so "all categories" stays two or three lines.
 */

function utcDate(iso: string): string {
  return iso.slice(0, 10);
}

function groupsByDays(info: RetentionBannerInfo) {
  const groups = new Map<number, { days: number; cutoff: string; labels: string[] }>();
  for (const removed of info.removedCategories) {
    const group = groups.get(removed.days) ?? { days: removed.days, cutoff: removed.cutoff, labels: [] };
    group.labels.push(CATEGORY_LABELS[removed.category]);
    groups.set(removed.days, group);
  }
  return [...groups.values()].sort((a, b) => a.days - b.days);
}

export function RetentionBanner({ info, archiveHref }: { info: RetentionBannerInfo; archiveHref: string | null }) {
  if (info.removedCategories.length === 0) return null;
  const inArchive = info.scope === "archive";
  return (
    <Alert data-testid="retention-banner" role="status">
      <History className="size-4" aria-hidden />
      <AlertTitle>
        {inArchive
          ? "Older archived logs were deleted at the end of the archive period"
          : "Older logs were removed by the retention policy"}
      </AlertTitle>
      <AlertDescription>
        <ul className="grid gap-0.5">
          {groupsByDays(info).map((group) => (
            <li key={group.days}>
              {group.labels.join(", ")}: entries before <time dateTime={group.cutoff}>{utcDate(group.cutoff)}</time>{" "}
              (UTC) are no longer {inArchive ? "in the archive" : "in the log"}
              {inArchive ? "" : ` (kept ${group.days.toLocaleString("en-US")} days)`}.
            </li>
          ))}
        </ul>
        {!inArchive && info.archiveEnabled && archiveHref ? (
          <p className="mt-2">
            <Link
              href={archiveHref}
              className="inline-flex items-center gap-1 font-medium underline underline-offset-4"
            >
              <Archive className="size-3.5" aria-hidden />
              Browse the archive
            </Link>{" "}
            for entries moved there.
          </p>
        ) : null}
      </AlertDescription>
    </Alert>
  );
}
