"use client";

import { Pencil, Plus, RotateCw, Trash2 } from "lucide-react";
import { useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import type { ActionResult } from "@/lib/action-result";
import { ConfirmDialog } from "./confirm-dialog";
import { runWithToast } from "./run-action";

/*
 * What the rules, channels and streams sections share: the line above the table with its "New"
 * button, the open/closed state of the form dialog, and the row's edit, delete and rotate buttons.
 */

export function SectionToolbar({ summary, newLabel, onNew }: { summary: string; newLabel: string; onNew: () => void }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      <p className="text-sm text-muted-foreground">{summary}</p>
      <Button onClick={onNew}>
        <Plus className="size-4" aria-hidden /> {newLabel}
      </Button>
    </div>
  );
}

/** The row being edited (null: a new one) and whether the form dialog is open. */
export function useEditDialog<R>() {
  const [editing, setEditing] = useState<R | null>(null);
  const [open, setOpen] = useState(false);
  return {
    editing,
    open,
    setOpen,
    edit(row: R | null) {
      setEditing(row);
      setOpen(true);
    },
  };
}

export function EditButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <Button variant="ghost" size="icon" aria-label={label} title="Edit" onClick={onClick}>
      <Pencil className="size-4" aria-hidden />
    </Button>
  );
}

export function DeleteButton({
  label,
  title,
  description,
  confirm,
  action,
  success,
}: {
  /** The trigger's accessible name, e.g. "Delete stream SIEM". */
  label: string;
  title: string;
  description: string;
  confirm: string;
  action: () => Promise<ActionResult<unknown>>;
  success: string;
}) {
  return (
    <ConfirmDialog
      trigger={
        <Button variant="ghost" size="icon" aria-label={label} title="Delete">
          <Trash2 className="size-4" aria-hidden />
        </Button>
      }
      title={title}
      description={description}
      confirm={confirm}
      pendingText="Deleting…"
      onConfirm={async () => (await runWithToast(action, () => success)) !== null}
    />
  );
}

/** "Rotate secret": a confirmation, then the new secret handed to `onSecret` to be shown once. */
export function RotateSecretButton<S>({
  name,
  description,
  action,
  onSecret,
}: {
  name: string;
  description: ReactNode;
  action: () => Promise<ActionResult<S>>;
  onSecret: (secret: S) => void;
}) {
  return (
    <ConfirmDialog
      trigger={
        <Button variant="ghost" size="icon" aria-label={`Rotate secret: ${name}`} title="Rotate secret">
          <RotateCw className="size-4" aria-hidden />
        </Button>
      }
      title={`Rotate the secret of “${name}”?`}
      description={description}
      confirm="Rotate secret"
      pendingText="Rotating…"
      onConfirm={async () => {
        const answer = await runWithToast(action, null);
        if (answer) onSecret(answer);
        return answer !== null;
      }}
    />
  );
}
