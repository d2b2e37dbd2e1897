"use client";

import { Bookmark, BookmarkPlus, Settings2 } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuGroup,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { cn } from "@/lib/utils";
import type { SavedView } from "@/lib/saved-views/types";
import { LinkPending } from "./link-pending";
import { ManageViewsDialog } from "./manage-views-dialog";
import { SaveViewDialog } from "./save-view-dialog";

export interface SavedViewsProps {
  orgSlug: string;
  orgName: string;
  pathname: string;
  /** The current search as the explorer writes it (no page position, no selected entry). */
  currentSearch: string;
  views: SavedView[];
  canManage: boolean;
}

const hrefOf = (pathname: string, view: SavedView) => (view.search ? `${pathname}?${view.search}` : pathname);

/**
 * The organization's views as buttons above the log, and every view this reader sees (their own,
 * those members shared) in a menu, with saving the current search and managing views.
 */
export function SavedViews({ orgSlug, orgName, pathname, currentSearch, views, canManage }: SavedViewsProps) {
  const [saving, setSaving] = useState(false);
  const [managing, setManaging] = useState(false);
  const organization = views.filter((v) => v.visibility === "organization");
  const mine = views.filter((v) => v.mine);
  const shared = views.filter((v) => v.visibility === "shared" && !v.mine);
  const editable = views.filter((v) => v.canEdit);

  const item = (view: SavedView) => (
    <DropdownMenuItem key={view.id} asChild>
      <Link
        prefetch={false}
        href={hrefOf(pathname, view)}
        scroll={false}
        aria-current={view.search === currentSearch || undefined}
      >
        <span className="grid min-w-0">
          <span className="truncate">{view.name}</span>
          {view.ownerName ? <span className="truncate text-xs text-muted-foreground">by {view.ownerName}</span> : null}
        </span>
        {view.visibility === "shared" && view.mine ? (
          <span className="ml-auto text-xs text-muted-foreground">shared</span>
        ) : null}
      </Link>
    </DropdownMenuItem>
  );

  return (
    <nav aria-label="Saved views" className="flex flex-wrap items-center gap-1.5">
      <span className="text-xs text-muted-foreground">Views:</span>
      {organization.map((view) => {
        const active = view.search === currentSearch;
        return (
          <Link
            prefetch={false}
            key={view.id}
            href={hrefOf(pathname, view)}
            scroll={false}
            aria-current={active ? "true" : undefined}
            className={cn(
              "inline-flex h-7 items-center gap-1.5 rounded-md border px-2.5 text-xs font-medium outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
              active
                ? "border-primary bg-primary text-primary-foreground"
                : "bg-background hover:bg-accent dark:bg-input/30 dark:hover:bg-input/50",
            )}
          >
            {view.name}
            <LinkPending />
          </Link>
        );
      })}
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="outline" size="sm" className="h-7 px-2.5 text-xs" aria-label="More views">
            <Bookmark className="size-3.5" aria-hidden />
            More
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end" className="w-64">
          <DropdownMenuLabel className="text-xs text-muted-foreground">Your views</DropdownMenuLabel>
          <DropdownMenuGroup>
            {mine.length ? (
              mine.map(item)
            ) : (
              <p className="px-2 py-1.5 text-xs text-muted-foreground">None yet: save the search you are looking at.</p>
            )}
          </DropdownMenuGroup>
          {shared.length ? (
            <>
              <DropdownMenuLabel className="text-xs text-muted-foreground">Shared in {orgName}</DropdownMenuLabel>
              <DropdownMenuGroup>{shared.map(item)}</DropdownMenuGroup>
            </>
          ) : null}
          <DropdownMenuSeparator />
          <DropdownMenuItem onSelect={() => setSaving(true)}>
            <BookmarkPlus className="size-4" aria-hidden /> Save this search…
          </DropdownMenuItem>
          <DropdownMenuItem onSelect={() => setManaging(true)} disabled={editable.length === 0}>
            <Settings2 className="size-4" aria-hidden /> Manage views…
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <SaveViewDialog
        orgSlug={orgSlug}
        orgName={orgName}
        search={currentSearch}
        canManage={canManage}
        open={saving}
        onOpenChange={setSaving}
      />
      <ManageViewsDialog
        orgSlug={orgSlug}
        views={editable}
        currentSearch={currentSearch}
        open={managing}
        onOpenChange={setManaging}
      />
    </nav>
  );
}
