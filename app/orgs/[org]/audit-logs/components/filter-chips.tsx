import { X } from "lucide-react";
import Link from "next/link";
import { CATEGORY_LABELS, RESULT_LABELS } from "@/lib/audit-log/labels";
import {
  explorerHref,
  PANEL_FILTERS_CLEARED,
  type ExplorerParams,
  type ExplorerParamsOverrides,
} from "@/lib/audit-log/search-params";
import { ANY_TIME, isAnyTime } from "@/lib/audit-log/period-conflict";
import { customRangeText, PERIOD_LABELS } from "./filter-labels";
import { LinkPending } from "./link-pending";

interface Chip {
  key: string;
  label: string;
  value: string;
  /** Null for the lifted period ("Any time"): shown, as state in force, but nothing to remove. */
  remove: ExplorerParamsOverrides | null;
}

/** "Last 7 days", "2026-11-01 – 2026-11-05", or "Any time" when the period is lifted. */
export function periodText(params: Pick<ExplorerParams, "period" | "from" | "to">): string {
  if (isAnyTime(params)) return "Any time";
  return params.period === "custom" ? customRangeText(params.from, params.to) : PERIOD_LABELS[params.period];
}

function chipsFor(params: ExplorerParams, userName: string | null): Chip[] {
  // The period is always in force, the default too, so it is always a chip. Removing it lifts
  // the time limit (like removing any other chip widens the search); "Reset filters" brings the
  // default back.
  const chips: Chip[] = [
    { key: "period", label: "Period", value: periodText(params), remove: isAnyTime(params) ? null : ANY_TIME },
  ];
  for (const code of params.type) {
    chips.push({
      key: `type-${code}`,
      label: "Type",
      value: CATEGORY_LABELS[code],
      remove: { type: params.type.filter((c) => c !== code) },
    });
  }
  if (params.user) {
    chips.push({
      key: "user",
      label: "User",
      value: userName ? `${userName} (${params.user})` : params.user,
      remove: { user: null },
    });
  }
  for (const code of params.result) {
    chips.push({
      key: `result-${code}`,
      label: "Result",
      value: RESULT_LABELS[code],
      remove: { result: params.result.filter((r) => r !== code) },
    });
  }
  if (params.scope === "archive")
    chips.push({ key: "scope", label: "Source", value: "Archive", remove: { scope: "live" } });
  return chips;
}

/**
 * Every filter in force, each removable on its own (the period included, the default one too,
 * so no limit hides in the panel), and a reset to the defaults when anything differs from them.
 */
export function FilterChips({
  pathname,
  params,
  userName,
}: {
  pathname: string;
  params: ExplorerParams;
  userName: string | null;
}) {
  const chips = chipsFor(params, userName);
  const atDefaults = params.period === PANEL_FILTERS_CLEARED.period && chips.length === 1 && params.scope === "live";
  const resetHref = explorerHref(pathname, params, { ...PANEL_FILTERS_CLEARED, scope: "live", entry: null });
  return (
    <div className="flex flex-wrap items-center gap-1.5" role="group" aria-label="Active filters">
      {chips.map((chip) =>
        chip.remove === null ? (
          <span
            key={chip.key}
            className="inline-flex max-w-72 items-center gap-1 rounded-full border border-dashed px-2.5 py-0.5 text-xs"
          >
            <span className="text-muted-foreground">{chip.label}:</span>
            <span className="truncate font-medium">{chip.value}</span>
          </span>
        ) : (
          <Link
            prefetch={false}
            key={chip.key}
            href={explorerHref(pathname, params, { ...chip.remove, entry: null })}
            scroll={false}
            aria-label={`Remove filter ${chip.label}: ${chip.value}`}
            className="inline-flex max-w-72 items-center gap-1 rounded-full border bg-secondary py-0.5 pr-1.5 pl-2.5 text-xs text-secondary-foreground outline-none hover:bg-secondary/70 focus-visible:ring-[3px] focus-visible:ring-ring/50"
          >
            <span className="text-muted-foreground">{chip.label}:</span>
            <span className="truncate font-medium">{chip.value}</span>
            <X className="size-3.5 shrink-0 text-muted-foreground" aria-hidden />
            <LinkPending />
          </Link>
        ),
      )}
      {atDefaults ? null : (
        <Link
          prefetch={false}
          href={resetHref}
          scroll={false}
          className="rounded px-1.5 text-xs text-muted-foreground underline-offset-4 outline-none hover:text-foreground hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
        >
          Reset filters
          <LinkPending />
        </Link>
      )}
    </div>
  );
}
