"use client";

import { usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useOptimistic, useRef, useState, useTransition, type ReactNode } from "react";
import { cn } from "@/lib/utils";
import { explorerHref, type ExplorerParams } from "@/lib/audit-log/search-params";
import type { SealView } from "@/lib/integrity/seal-view";
import type { AuditEntryDetails, AuditEntrySummary, TimelineStep } from "@/lib/audit-log/types";
import { AuditLogTable } from "./audit-log-table";
import { DetailsPanel } from "./details-panel";
import { NewEntriesBar } from "./new-entries-bar";
import { Pagination } from "./pagination";
import { PivotProvider } from "./pivot-context";
import { SEARCH_INPUT_ID } from "./search-bar";
import { useExplorerKeys } from "./use-explorer-keys";

export interface ExplorerViewProps {
  orgSlug: string;
  params: ExplorerParams;
  entries: AuditEntrySummary[];
  prevCursor: string | null;
  nextCursor: string | null;
  /** Reopens this exact page when the URL has no cursor for it (a deep-link window). */
  anchorCursor: string | null;
  countText: string;
  firstPosition: number | null;
  selected: { details: AuditEntryDetails; timeline: TimelineStep[]; seal?: SealView | null } | null;
  empty: ReactNode;
  /** Set where newer entries would appear above this page (the top of a newest-first listing). */
  newEntries: { pollSeconds: number } | null;
}

function rowElement(id: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`tr[data-entry-id="${CSS.escape(id)}"]`);
}

/**
 * The table, its details and paging, with selection. The selected entry lives in the URL
 * (`?entry=`, replaced rather than pushed) so the details are rendered on the server and the
 * view can be shared; the panel opens at once (optimistically) while that render is on its way.
 */
export function ExplorerView({
  orgSlug,
  params,
  entries,
  prevCursor,
  nextCursor,
  anchorCursor,
  countText,
  firstPosition,
  selected,
  empty,
  newEntries,
}: ExplorerViewProps) {
  const router = useRouter();
  const pathname = usePathname();
  const [isPending, startTransition] = useTransition();
  const [openId, setOpenId] = useOptimistic<string | null>(params.entry);
  const [activeId, setActiveId] = useState<string | null>(params.entry);
  const [seenEntry, setSeenEntry] = useState(params.entry);
  if (seenEntry !== params.entry) {
    // The server moved the selection (deep link, back/forward): follow it.
    setSeenEntry(params.entry);
    if (params.entry) setActiveId(params.entry);
  }

  const hrefWithEntry = useCallback(
    (id: string | null) => {
      // Keep the rows where they are: without a cursor the server would re-center the page on the entry.
      const keepRows = id !== null && params.cursor === null && anchorCursor && entries.some((e) => e.id === id);
      return explorerHref(pathname, params, keepRows ? { entry: id, cursor: anchorCursor } : { entry: id });
    },
    [params, pathname, anchorCursor, entries],
  );

  const openEntry = useCallback(
    (id: string) => {
      setActiveId(id);
      startTransition(() => {
        setOpenId(id);
        router.replace(hrefWithEntry(id), { scroll: false });
      });
    },
    [hrefWithEntry, router, setOpenId],
  );

  const closeDetails = useCallback(() => {
    startTransition(() => {
      setOpenId(null);
      router.replace(hrefWithEntry(null), { scroll: false });
    });
  }, [hrefWithEntry, router, setOpenId]);

  const focusRow = (id: string, block: ScrollLogicalPosition = "nearest") => {
    const row = rowElement(id);
    if (!row) return;
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block });
  };

  useExplorerKeys({
    move(delta) {
      if (entries.length === 0) return;
      const index = entries.findIndex((e) => e.id === activeId);
      const nextIndex =
        index === -1
          ? delta === 1
            ? 0
            : entries.length - 1
          : Math.min(Math.max(index + delta, 0), entries.length - 1);
      const id = entries[nextIndex]!.id;
      setActiveId(id);
      focusRow(id);
      // With the details open, they follow the selection.
      if (openId !== null && id !== openId) openEntry(id);
    },
    open(rowId) {
      const id = rowId ?? activeId ?? entries[0]?.id;
      if (id) openEntry(id);
    },
    close() {
      if (openId === null) return false;
      closeDetails();
      if (activeId) rowElement(activeId)?.focus({ preventScroll: true });
      return true;
    },
    focusSearch() {
      const input = document.getElementById(SEARCH_INPUT_ID) as HTMLInputElement | null;
      input?.focus();
      input?.select();
    },
  });

  // A deep link lands with its entry centred in view and focused, ready for the keyboard.
  const scrolledFor = useRef<string | null>(null);
  useEffect(() => {
    const id = params.entry;
    if (!id || scrolledFor.current === id) return;
    scrolledFor.current = id;
    const row = rowElement(id);
    if (!row) return;
    const rect = row.getBoundingClientRect();
    if (rect.top < 0 || rect.bottom > window.innerHeight) row.scrollIntoView({ block: "center" });
    if (document.activeElement === document.body || document.activeElement === null) row.focus({ preventScroll: true });
  }, [params.entry, entries]);

  const activeOnPage = activeId !== null && entries.some((e) => e.id === activeId) ? activeId : null;
  // Open while the details are coming, or once they came; a missing entry has its own notice.
  const panelOpen = openId !== null && (openId !== params.entry || selected !== null);

  return (
    <PivotProvider pathname={pathname} params={params} openEntryId={panelOpen ? openId : null}>
      <div
        className={cn(
          "grid items-start gap-4",
          panelOpen && "lg:grid-cols-[minmax(0,1fr)_22rem] xl:grid-cols-[minmax(0,1fr)_26rem]",
        )}
      >
        <div className="grid min-w-0 gap-3">
          {newEntries ? (
            <NewEntriesBar
              orgSlug={orgSlug}
              newest={entries[0] ? { id: entries[0].id, occurredAt: entries[0].occurredAt } : null}
              pollSeconds={newEntries.pollSeconds}
            />
          ) : null}
          <div
            aria-busy={isPending || undefined}
            className="overflow-hidden rounded-lg border bg-card shadow-xs transition-opacity group-has-[[data-pending]]/explorer:opacity-60"
          >
            <AuditLogTable
              pathname={pathname}
              params={params}
              entries={entries}
              activeId={activeOnPage}
              openId={openId}
              onRowClick={openEntry}
              onRowFocus={setActiveId}
              empty={empty}
              compact={panelOpen}
            />
          </div>
          <Pagination
            pathname={pathname}
            params={params}
            prevCursor={prevCursor}
            nextCursor={nextCursor}
            countText={countText}
            firstPosition={firstPosition}
          />
        </div>
        {panelOpen && openId !== null ? (
          <DetailsPanel
            orgSlug={orgSlug}
            openId={openId}
            selected={selected}
            onClose={closeDetails}
            onOpen={openEntry}
            hrefFor={(id) => hrefWithEntry(id)}
          />
        ) : null}
      </div>
    </PivotProvider>
  );
}
