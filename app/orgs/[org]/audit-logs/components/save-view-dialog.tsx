"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group";
import { isVisibility, MAX_VIEW_NAME_LENGTH, type ViewVisibility } from "@/lib/saved-views/types";
import { saveView } from "../lib/view-actions";

/** Names the current search and keeps it: for the reader, shared, or (managers) for everyone. */
export function SaveViewDialog({
  orgSlug,
  orgName,
  search,
  canManage,
  open,
  onOpenChange,
}: {
  orgSlug: string;
  orgName: string;
  search: string;
  canManage: boolean;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const router = useRouter();
  const id = useId();
  const [name, setName] = useState("");
  const [visibility, setVisibility] = useState<ViewVisibility>("private");
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function change(next: boolean) {
    if (next) {
      setName("");
      setVisibility("private");
      setError(null);
    }
    onOpenChange(next);
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    startTransition(async () => {
      const result = await saveView(orgSlug, { name, search, visibility });
      if (result.error !== undefined) {
        setError(result.fieldErrors?.name ? `${result.error} ${result.fieldErrors.name}` : result.error);
        return;
      }
      onOpenChange(false);
      toast.success(`Saved the view "${result.data.name}".`);
      router.refresh();
    });
  }

  return (
    <Dialog open={open} onOpenChange={change}>
      <DialogContent>
        <form onSubmit={submit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Save this search</DialogTitle>
            <DialogDescription>
              The view keeps every filter, the search text, the period and the sort, and opens them again in one click.
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-2">
            <Label htmlFor={`${id}-name`}>Name</Label>
            <Input
              id={`${id}-name`}
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={MAX_VIEW_NAME_LENGTH}
              required
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
              autoFocus
            />
          </div>
          <fieldset className="grid gap-2">
            <legend className="mb-2 text-sm font-medium">Who sees it</legend>
            <RadioGroup value={visibility} onValueChange={(v) => isVisibility(v) && setVisibility(v)}>
              <Label className="font-normal">
                <RadioGroupItem value="private" /> Only me
              </Label>
              <Label className="font-normal">
                <RadioGroupItem value="shared" /> Everyone in {orgName}, in their views menu
              </Label>
              {canManage ? (
                <Label className="font-normal">
                  <RadioGroupItem value="organization" /> Everyone in {orgName}, as a button above the log
                </Label>
              ) : null}
            </RadioGroup>
          </fieldset>
          {error ? (
            <p id={`${id}-error`} role="alert" className="text-sm text-destructive">
              {error}
            </p>
          ) : null}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => change(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending || name.trim() === ""}>
              {pending ? "Saving…" : "Save view"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
