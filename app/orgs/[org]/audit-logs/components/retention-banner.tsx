import { Archive, History } from "lucide-react";
import Link from "next/link";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import type { PendingCategory, RemovedCategory, RetentionBannerInfo } from "@/lib/retention/banner-info";
import { CATEGORY_LABELS } from "@/lib/audit-log/labels";

/*
 * Shown above the table when the selected period reaches past a selected category's retention
 * (the KIOPS FAQ "Old logs are not visible"). It says what is true: entries are gone only up to
 * the cutoff the last retention run applied; entries past retention that no run has removed are
 * still listed, and the banner says so, and how runs are scheduled when they are not. Categories
 * with the same cutoffs share a line, so "all categories" stays two or three lines.
 */

export const SCHEDULE_HINT =
  "Retention does not run on a schedule in this console: set RETENTION_SCHEDULE (hourly, daily or an interval such as 30m), or run npm run retention from cron.";

function utcDate(iso: string): string {
  return iso.slice(0, 10);
}

function grouped<T extends { category: RemovedCategory["category"] }>(items: T[], key: (item: T) => string) {
  const groups = new Map<string, { first: T; labels: string[] }>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k) ?? { first: item, labels: [] };
    group.labels.push(CATEGORY_LABELS[item.category]);
    groups.set(k, group);
  }
  return [...groups.entries()].map(([k, g]) => ({ key: k, ...g }));
}

const days = (n: number) => `${n.toLocaleString("en-US")} days`;

function RemovedLine({ item, labels, inArchive }: { item: RemovedCategory; labels: string[]; inArchive: boolean }) {
  return (
    <li>
      {labels.join(", ")}: entries before <time dateTime={item.cutoff}>{utcDate(item.cutoff)}</time> (UTC) are no longer{" "}
      {inArchive ? "in the archive" : "in the log"}
      {inArchive ? "" : ` (kept ${days(item.days)})`}; removed by the retention run of{" "}
      <time dateTime={item.ranAt}>{utcDate(item.ranAt)}</time>.
    </li>
  );
}

function PendingLine({ item, labels, inArchive }: { item: PendingCategory; labels: string[]; inArchive: boolean }) {
  const where = inArchive ? "in the archive" : "in the log";
  const past = inArchive ? "the archive period" : `the ${item.days.toLocaleString("en-US")}-day retention`;
  return (
    <li>
      {labels.join(", ")}: entries{" "}
      {item.from ? (
        <>
          from <time dateTime={item.from}>{utcDate(item.from)}</time> to{" "}
        </>
      ) : (
        "before "
      )}
      <time dateTime={item.cutoff}>{utcDate(item.cutoff)}</time> (UTC) are past {past} but still {where}:{" "}
      {item.from ? "the next retention run removes them." : "the retention policy has not been applied yet."}
    </li>
  );
}

function title(info: RetentionBannerInfo): string {
  const inArchive = info.scope === "archive";
  if (info.removedCategories.length > 0)
    return inArchive
      ? "Older archived logs were deleted at the end of the archive period"
      : "Older logs were removed by the retention policy";
  return inArchive
    ? "Archived logs past the archive period are not deleted yet"
    : "Logs past the retention policy are not removed yet";
}

export function RetentionBanner({ info, archiveHref }: { info: RetentionBannerInfo; archiveHref: string | null }) {
  const { removedCategories: removed, pendingCategories: pending } = info;
  if (removed.length === 0 && pending.length === 0) return null;
  const inArchive = info.scope === "archive";
  return (
    <Alert data-testid="retention-banner" role="status">
      <History className="size-4" aria-hidden />
      <AlertTitle>{title(info)}</AlertTitle>
      <AlertDescription>
        <ul className="grid gap-0.5">
          {grouped(removed, (r) => `${r.days}|${r.cutoff}|${r.ranAt}`).map((g) => (
            <RemovedLine key={`removed-${g.key}`} item={g.first} labels={g.labels} inArchive={inArchive} />
          ))}
          {grouped(pending, (p) => `${p.days}|${p.from}|${p.cutoff}`).map((g) => (
            <PendingLine key={`pending-${g.key}`} item={g.first} labels={g.labels} inArchive={inArchive} />
          ))}
        </ul>
        {pending.length > 0 && !info.scheduled ? <p className="mt-2">{SCHEDULE_HINT}</p> : null}
        {!inArchive && removed.length > 0 && info.archiveEnabled && archiveHref ? (
          <p className="mt-2">
            <Link
              prefetch={false}
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
