import { FileQuestion, FilterX } from "lucide-react";
import Link from "next/link";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { buttonVariants } from "@/components/ui/button";
import { cn } from "@/lib/utils";
import type { FilterPart } from "@/lib/audit-log/where";
import { LinkPending } from "./link-pending";
import type { DeepLinkState } from "@/lib/audit-log/load-explorer";
import { explorerHref, type ExplorerParams, type ExplorerParamsOverrides } from "@/lib/audit-log/search-params";

export const ENTRY_NOT_FOUND_TEXT =
  "This entry could not be found. It may not exist, may be in another organization, or may have been removed by the retention policy.";

const PART_LABELS: Record<FilterPart, string> = {
  period: "the period",
  type: "the type",
  user: "the user",
  result: "the result",
  q: "the search",
};

// Dropping the period means no time bound at all: the entry may be older than any preset.
const DROP: Record<FilterPart, ExplorerParamsOverrides> = {
  period: { period: "custom", from: null, to: null },
  type: { type: [] },
  user: { user: null },
  result: { result: [] },
  q: { q: "" },
};

function listText(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** What became of `?entry=`: not found (one message for every reason), or outside the filters. */
export function DeepLinkNotice({
  pathname,
  params,
  state,
}: {
  pathname: string;
  params: ExplorerParams;
  state: DeepLinkState;
}) {
  if (state === null) return null;
  if (state.status === "not-found") {
    return (
      <Alert variant="warning" role="status">
        <FileQuestion aria-hidden />
        <AlertTitle>Entry not found</AlertTitle>
        <AlertDescription>
          <p>{ENTRY_NOT_FOUND_TEXT}</p>
          <Link
            prefetch={false}
            href={explorerHref(pathname, params, { entry: null })}
            scroll={false}
            className="text-foreground underline underline-offset-4"
          >
            Dismiss
          </Link>
        </AlertDescription>
      </Alert>
    );
  }
  const overrides = Object.assign({}, ...state.excludedBy.map((part) => DROP[part])) as ExplorerParamsOverrides;
  return (
    <Alert role="status" className="border-info/40">
      <FilterX aria-hidden className="text-info" />
      <AlertTitle>This entry is outside the current filters</AlertTitle>
      <AlertDescription>
        <p>
          Its details are open, but it is not in the list because of{" "}
          {listText(state.excludedBy.map((p) => PART_LABELS[p]))}.
        </p>
        <Link
          prefetch={false}
          href={explorerHref(pathname, params, { ...overrides, entry: params.entry })}
          scroll={false}
          className={cn(buttonVariants({ variant: "outline", size: "sm" }), "mt-1 text-foreground")}
        >
          Show in context
          <LinkPending />
        </Link>
      </AlertDescription>
    </Alert>
  );
}
