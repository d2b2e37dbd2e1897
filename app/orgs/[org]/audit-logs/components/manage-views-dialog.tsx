"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import type { ActionResult } from "@/lib/action-result";
import { MAX_VIEW_NAME_LENGTH, type SavedView } from "@/lib/saved-views/types";
import { deleteView, updateView } from "../lib/view-actions";

const KIND: Record<SavedView["visibility"], string> = {
  organization: "Button above the log, for everyone",
  shared: "Shared with the organization",
  private: "Only you",
};

function ViewRow({ orgSlug, view, currentSearch }: { orgSlug: string; view: SavedView; currentSearch: string }) {
  const router = useRouter();
  const id = useId();
  const [name, setName] = useState(view.name);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function run<T>(action: () => Promise<ActionResult<T>>, done: string) {
    startTransition(async () => {
      const result = await action();
      if (result.error !== undefined) {
        setError(result.error);
        return;
      }
      setError(null);
      setConfirming(false);
      toast.success(done);
      router.refresh();
    });
  }

  const renamed = name.trim() !== "" && name.trim() !== view.name;
  return (
    <li className="grid gap-2 rounded-md border p-3" aria-label={view.name}>
      <form
        className="flex items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (renamed) run(() => updateView(orgSlug, { id: view.id, name }), `Renamed to "${name.trim()}".`);
        }}
      >
        <div className="grid flex-1 gap-1">
          <Label htmlFor={`${id}-name`} className="text-xs text-muted-foreground">
            Name · {KIND[view.visibility]}
          </Label>
          <Input
            id={`${id}-name`}
            value={name}
            maxLength={MAX_VIEW_NAME_LENGTH}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <Button type="submit" variant="outline" disabled={pending || !renamed}>
          Rename
        </Button>
      </form>
      <div className="flex flex-wrap items-center gap-2">
        <Button
          variant="outline"
          size="sm"
          disabled={pending || view.search === currentSearch}
          onClick={() =>
            run(
              () => updateView(orgSlug, { id: view.id, search: currentSearch }),
              `"${view.name}" now opens the current search.`,
            )
          }
        >
          Use the current search
        </Button>
        {view.mine ? (
          <Label className="font-normal">
            <Switch
              checked={view.visibility === "shared"}
              disabled={pending}
              onCheckedChange={(shared) =>
                run(
                  () => updateView(orgSlug, { id: view.id, shared }),
                  shared ? `"${view.name}" is shared with the organization.` : `"${view.name}" is yours alone again.`,
                )
              }
            />
            Shared
          </Label>
        ) : null}
        <span className="ml-auto flex items-center gap-2">
          {confirming ? (
            <>
              <span className="text-xs">Delete for everyone who uses it?</span>
              <Button variant="outline" size="sm" onClick={() => setConfirming(false)} disabled={pending}>
                Keep
              </Button>
            </>
          ) : null}
          <Button
            variant="destructive"
            size="sm"
            disabled={pending}
            onClick={() =>
              confirming
                ? run(() => deleteView(orgSlug, { id: view.id }), `Deleted the view "${view.name}".`)
                : setConfirming(true)
            }
          >
            {confirming ? "Delete view" : "Delete"}
          </Button>
        </span>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
    </li>
  );
}

/** Rename, update, share or delete the views this reader may change. */
export function ManageViewsDialog({
  orgSlug,
  views,
  currentSearch,
  open,
  onOpenChange,
}: {
  orgSlug: string;
  views: SavedView[];
  currentSearch: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[85dvh] overflow-y-auto sm:max-w-xl">
        <DialogHeader>
          <DialogTitle>Manage views</DialogTitle>
          <DialogDescription>
            Your own views, and those everyone sees when you manage the audit log. Changes to views others see are
            recorded in the audit log.
          </DialogDescription>
        </DialogHeader>
        {views.length ? (
          <ul className="grid gap-3">
            {views.map((view) => (
              <ViewRow key={`${view.id}:${view.name}`} orgSlug={orgSlug} view={view} currentSearch={currentSearch} />
            ))}
          </ul>
        ) : (
          <p className="text-sm text-muted-foreground">There are no views you can change.</p>
        )}
      </DialogContent>
    </Dialog>
  );
}
