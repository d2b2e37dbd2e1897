"use client";

import { X } from "lucide-react";
import { useId, useSyncExternalStore } from "react";
import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetDescription, SheetTitle } from "@/components/ui/sheet";
import { Skeleton } from "@/components/ui/skeleton";
import type { SealView } from "@/lib/integrity/seal-view";
import type { AuditEntryDetails, TimelineStep } from "@/lib/audit-log/types";
import { CopyLinkButton } from "./copy-link-button";
import { EntryDetails } from "./entry-details";
import { EntrySeal } from "./entry-seal";

const WIDE_QUERY = "(min-width: 1024px)";

function subscribeWide(onChange: () => void) {
  const query = window.matchMedia(WIDE_QUERY);
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}

/** Side panel on wide screens, sheet on narrow ones. The server renders the wide layout. */
export function useIsWide(): boolean {
  return useSyncExternalStore(
    subscribeWide,
    () => window.matchMedia(WIDE_QUERY).matches,
    () => true,
  );
}

function DetailsSkeleton() {
  return (
    <div className="grid gap-4" aria-hidden>
      <Skeleton className="h-5 w-20" />
      <Skeleton className="h-6 w-3/4" />
      <Skeleton className="h-4 w-full" />
      <div className="grid gap-3 pt-2">
        {Array.from({ length: 9 }, (_, i) => (
          <div key={i} className="grid grid-cols-[7.5rem_1fr] gap-3">
            <Skeleton className="h-4 w-16" />
            <Skeleton className="h-4" />
          </div>
        ))}
      </div>
      <Skeleton className="h-24 w-full" />
    </div>
  );
}

export interface DetailsPanelProps {
  orgSlug: string;
  /** The entry being opened; its details may still be on their way. */
  openId: string;
  selected: { details: AuditEntryDetails; timeline: TimelineStep[]; seal?: SealView | null } | null;
  onClose: () => void;
  onOpen: (id: string) => void;
  hrefFor: (id: string) => string;
}

function Body({ orgSlug, openId, selected, onOpen, hrefFor }: Omit<DetailsPanelProps, "onClose">) {
  const ready = selected !== null && selected.details.id === openId;
  return (
    <div aria-busy={!ready} className="grid gap-4">
      {ready ? (
        <>
          <EntryDetails details={selected.details} timeline={selected.timeline} hrefFor={hrefFor} onOpen={onOpen} />
          {selected.seal ? <EntrySeal seal={selected.seal} /> : null}
        </>
      ) : (
        <>
          <span className="sr-only" role="status">
            Loading entry details
          </span>
          <DetailsSkeleton />
        </>
      )}
      <div className="flex">
        <CopyLinkButton orgSlug={orgSlug} entryId={openId} />
      </div>
    </div>
  );
}

/**
 * "Log details": a region beside the table on wide screens (the list stays usable), a dialog sheet
 * on narrow ones. It opens at once with a skeleton; the server-rendered details replace it.
 */
export function DetailsPanel(props: DetailsPanelProps) {
  const wide = useIsWide();
  const titleId = useId();
  const { onClose } = props;
  if (!wide) {
    return (
      <Sheet open onOpenChange={(open) => (open ? undefined : onClose())}>
        <SheetContent side="right" data-details-sheet="" className="w-full gap-0 overflow-y-auto sm:max-w-lg">
          <div className="flex items-center gap-2 border-b p-4 pr-12">
            <SheetTitle>Log details</SheetTitle>
          </div>
          <SheetDescription className="sr-only">
            Everything recorded about the selected audit log entry.
          </SheetDescription>
          <div className="p-4">
            <Body {...props} />
          </div>
        </SheetContent>
      </Sheet>
    );
  }
  return (
    <section
      aria-labelledby={titleId}
      className="flex min-w-0 flex-col rounded-lg border bg-card text-card-foreground shadow-xs lg:sticky lg:top-4 lg:max-h-[calc(100dvh-2rem)]"
    >
      <div className="flex items-center justify-between gap-2 border-b px-4 py-2.5">
        <h2 id={titleId} className="text-sm font-semibold">
          Log details
        </h2>
        <Button
          type="button"
          variant="ghost"
          size="icon-sm"
          aria-label="Close details"
          title="Close (Esc)"
          onClick={onClose}
        >
          <X aria-hidden />
        </Button>
      </div>
      <div className="min-h-0 overflow-y-auto p-4">
        <Body {...props} />
      </div>
    </section>
  );
}
