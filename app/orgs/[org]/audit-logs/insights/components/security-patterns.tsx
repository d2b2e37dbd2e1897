import { ShieldAlert } from "lucide-react";
import Link from "next/link";
import { shortTimeText } from "@/lib/audit-log/insight-buckets";
import { formatSearchQuery, parseSearchQuery } from "@/lib/audit-log/search-language";
import { explorerHref, type ExplorerParams } from "@/lib/audit-log/search-params";
import { BURST_MIN_FAILURES, BURST_WINDOW_MS } from "@/lib/audit-log/bursts";
import { patternFilters, type SignInGroup, type SignInPatterns } from "@/lib/audit-log/sign-in-patterns";
import { cn } from "@/lib/utils";

const NUMBER = new Intl.NumberFormat("en-US");

/**
 * Bursts listed per group, the newest. An address that attacks all week has dozens; each is a
 * link, and listing them all made the section most of the page's weight (73 bursts: 131 KB of
 * its 381 KB at 10M entries, HTML and RSC payload) while the group's own link already lists every
 * failure.
 */
export const BURSTS_SHOWN = 3;

type GroupKind = "ip" | "account";

// The qualifier that lists exactly one group's failures: the address, or the account tried (the
// entry's target name: accounts that do not exist have no actor).
function groupQ(kind: GroupKind, key: string): string {
  const query = parseSearchQuery(kind === "ip" ? `ip:${key}` : "");
  const filters = kind === "ip" ? query.filters : [{ key: "resource" as const, negated: false, values: [key] }];
  return formatSearchQuery({ terms: [], filters, errors: [] });
}

function minutes(ms: number): string {
  const m = Math.max(1, Math.round(ms / 60_000));
  return `${m} min`;
}

function GroupList({
  title,
  kind,
  groups,
  distinct,
  explorerPath,
  params,
}: {
  title: string;
  kind: GroupKind;
  groups: SignInGroup[];
  distinct: number;
  explorerPath: string;
  params: ExplorerParams;
}) {
  const tz = params.tz;
  return (
    <section className="grid content-start gap-2 rounded-lg border bg-card p-3" aria-label={title}>
      <h3 className="text-sm font-medium">{title}</h3>
      {groups.length === 0 ? (
        <p className="text-xs text-muted-foreground">No failed sign-ins in this period.</p>
      ) : (
        <ul className="grid gap-2">
          {groups.map((g) => {
            const q = groupQ(kind, g.key);
            return (
              <li
                key={g.key}
                className={cn(
                  "grid gap-1 rounded-md border p-2 text-xs",
                  g.bursts.length > 0 && "border-destructive/40 bg-destructive/5",
                )}
                data-pattern-group={kind}
              >
                <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-0.5">
                  <Link
                    prefetch={false}
                    href={explorerHref(explorerPath, params, patternFilters(q))}
                    className="min-w-0 truncate font-medium underline-offset-2 hover:underline"
                  >
                    {g.label}
                  </Link>
                  <span className="text-muted-foreground tabular-nums">
                    {NUMBER.format(g.count)} failed, {shortTimeText(g.firstMs, tz)} – {shortTimeText(g.lastMs, tz)}
                  </span>
                </div>
                {g.bursts.length > 0 ? (
                  <ul className="flex flex-wrap items-center gap-1.5">
                    {g.bursts.length > BURSTS_SHOWN ? (
                      <li className="text-muted-foreground" data-earlier-bursts={g.bursts.length - BURSTS_SHOWN}>
                        {NUMBER.format(g.bursts.length - BURSTS_SHOWN)} earlier{" "}
                        {g.bursts.length - BURSTS_SHOWN === 1 ? "burst" : "bursts"}, then
                      </li>
                    ) : null}
                    {g.bursts.slice(-BURSTS_SHOWN).map((b) => (
                      <li key={b.fromMs}>
                        <Link
                          prefetch={false}
                          href={explorerHref(explorerPath, params, {
                            ...patternFilters(q),
                            period: "custom",
                            from: new Date(b.fromMs).toISOString(),
                            to: new Date(b.toMs).toISOString(),
                          })}
                          className="inline-flex items-center gap-1 rounded-md bg-destructive/12 px-1.5 py-0.5 font-medium text-destructive hover:underline dark:bg-destructive/25 dark:text-red-300"
                          data-burst={`${kind}:${g.key}`}
                          data-burst-count={b.count}
                        >
                          <ShieldAlert className="size-3" aria-hidden />
                          Burst: {NUMBER.format(b.count)} in {minutes(b.toMs - b.fromMs)}, {shortTimeText(b.fromMs, tz)}
                        </Link>
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      {distinct > groups.length ? (
        <p className="text-xs text-muted-foreground">and {NUMBER.format(distinct - groups.length)} more</p>
      ) : null}
    </section>
  );
}

/** Failed sign-ins of the period by address and by account, bursts called out. */
export function SecurityPatterns({
  patterns,
  explorerPath,
  params,
}: {
  patterns: SignInPatterns;
  explorerPath: string;
  params: ExplorerParams;
}) {
  const all = explorerHref(explorerPath, params, patternFilters());
  const groups = [...patterns.byIp.groups, ...patterns.byAccount.groups];
  const burstCount = groups.reduce((n, g) => n + g.bursts.length, 0);
  const shown = groups.reduce((n, g) => n + Math.min(BURSTS_SHOWN, g.bursts.length), 0);
  return (
    <div className="grid gap-3">
      <p className="text-sm text-muted-foreground">
        <Link prefetch={false} href={all} className="font-medium text-foreground underline-offset-2 hover:underline">
          {NUMBER.format(patterns.total)}
          {patterns.capped ? "+" : ""} failed sign-ins
        </Link>{" "}
        in this period (category Auth, action login, result Failure; the other filters do not apply here). A burst is{" "}
        {BURST_MIN_FAILURES} or more failures within {BURST_WINDOW_MS / 60_000} minutes
        {burstCount > 0
          ? `; ${NUMBER.format(burstCount)} in the groups below${shown < burstCount ? `, the newest ${BURSTS_SHOWN} of each listed` : ""}.`
          : "; none in this period."}
        {patterns.capped && patterns.countedFromMs !== null
          ? ` Only the newest ${NUMBER.format(patterns.total)} failures are grouped, from ${shortTimeText(patterns.countedFromMs, params.tz)} on.`
          : ""}
      </p>
      <div className="grid gap-3 lg:grid-cols-2">
        <GroupList
          title="By IP address"
          kind="ip"
          groups={patterns.byIp.groups}
          distinct={patterns.byIp.distinct}
          explorerPath={explorerPath}
          params={params}
        />
        <GroupList
          title="By account"
          kind="account"
          groups={patterns.byAccount.groups}
          distinct={patterns.byAccount.distinct}
          explorerPath={explorerPath}
          params={params}
        />
      </div>
    </div>
  );
}
