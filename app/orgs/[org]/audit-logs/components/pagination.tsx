"use client";

import { ChevronLeft, ChevronRight, ChevronsLeft } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useTransition, type ReactNode } from "react";
import { buttonVariants } from "@/components/ui/button";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { cn } from "@/lib/utils";
import { explorerHref, PAGE_SIZES, type ExplorerParams, type PageSize } from "@/lib/audit-log/search-params";
import { LinkPending } from "./link-pending";

function PageLink({
  href,
  rel,
  children,
  label,
}: {
  href: string | null;
  rel: "prev" | "next";
  children: ReactNode;
  label: string;
}) {
  const className = cn(buttonVariants({ variant: "outline", size: "sm" }), "gap-1");
  if (href === null) {
    return (
      <span
        role="link"
        aria-disabled="true"
        aria-label={label}
        className={cn(className, "pointer-events-none opacity-50")}
      >
        {children}
      </span>
    );
  }
  return (
    // Scrolls back to the top: the next page is read from its first row.
    <Link prefetch={false} href={href} rel={rel} aria-label={label} className={className}>
      {children}
      <LinkPending />
    </Link>
  );
}

/**
 * Keyset paging: Previous/Next continue from the edges of this page (no page numbers: counting
 * the rows before a page is what keyset paging avoids; the cursors carry the page's place
 * instead). The first page has no cursor in its URL, also when reached by going back.
 */
export function Pagination({
  pathname,
  params,
  prevCursor,
  nextCursor,
  countText,
  firstPosition,
}: {
  pathname: string;
  params: ExplorerParams;
  prevCursor: string | null;
  nextCursor: string | null;
  countText: string;
  firstPosition: number | null;
}) {
  const router = useRouter();
  const [isPending, startTransition] = useTransition();
  const sizeId = useId();
  const firstHref = explorerHref(pathname, params, { cursor: null, entry: null });
  const previousIsFirst = firstPosition !== null && firstPosition - params.size <= 1;
  const prev = prevCursor
    ? previousIsFirst
      ? firstHref
      : explorerHref(pathname, params, { cursor: prevCursor, entry: null })
    : null;
  const newestFirst = params.sort === "time" && params.dir === "desc";
  const next = nextCursor ? explorerHref(pathname, params, { cursor: nextCursor, entry: null }) : null;
  return (
    <nav
      aria-label="Pagination"
      className="flex flex-wrap items-center justify-between gap-3"
      data-pending={isPending ? "" : undefined}
    >
      <p className="text-sm text-muted-foreground tabular-nums" role="status" aria-live="polite">
        {countText}
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <div className="flex items-center gap-2">
          <label htmlFor={sizeId} className="text-sm text-muted-foreground">
            Rows per page
          </label>
          <Select
            value={String(params.size)}
            onValueChange={(value) =>
              startTransition(() =>
                router.push(explorerHref(pathname, params, { size: Number(value) as PageSize, entry: null }), {
                  scroll: false,
                }),
              )
            }
          >
            <SelectTrigger id={sizeId} size="sm" className="w-20">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {PAGE_SIZES.map((size) => (
                <SelectItem key={size} value={String(size)}>
                  {size}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </div>
        <div className="flex items-center gap-1.5">
          {prevCursor ? (
            <Link
              prefetch={false}
              href={firstHref}
              aria-label={newestFirst ? "Back to the newest entries" : "First page"}
              className={cn(buttonVariants({ variant: "outline", size: "sm" }), "gap-1")}
            >
              <ChevronsLeft aria-hidden />
              {newestFirst ? "Newest" : "First"}
              <LinkPending />
            </Link>
          ) : null}
          <PageLink href={prev} rel="prev" label="Previous page">
            <ChevronLeft aria-hidden />
            Previous
          </PageLink>
          <PageLink href={next} rel="next" label="Next page">
            Next
            <ChevronRight aria-hidden />
          </PageLink>
        </div>
      </div>
    </nav>
  );
}
