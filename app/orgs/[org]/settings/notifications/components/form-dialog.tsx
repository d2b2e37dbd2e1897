"use client";

import { useState, useTransition, type ReactNode } from "react";
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
import type { ActionResult, FieldErrors } from "@/lib/action-result";
import { cn } from "@/lib/utils";
import { UNEXPECTED } from "./run-action";

/*
 * The shell the rule, channel and stream forms share: a dialog whose content mounts with each
 * opening (so a form starts from the row as it is now), a header, the form, its error and the
 * Cancel / Save buttons; and the hook that runs the form's server action and keeps its answer.
 */

export function FormDialog({
  open,
  onOpenChange,
  wide = false,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className={cn("max-h-[calc(100dvh-2rem)] overflow-y-auto", wide ? "sm:max-w-2xl" : "sm:max-w-xl")}>
        {children}
      </DialogContent>
    </Dialog>
  );
}

export interface ActionForm {
  error: string | null;
  fieldErrors: FieldErrors;
  pending: boolean;
  /**
   * Runs the save: on an error answer the form shows it (and its per-field messages); on success
   * a toast says `success`, the dialog closes and `after` gets the data (e.g. a secret to show).
   */
  run<T>(
    action: () => Promise<ActionResult<T>>,
    done: { success: (data: T) => string; after?: (data: T) => void },
  ): void;
}

export function useActionForm(onOpenChange: (open: boolean) => void): ActionForm {
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [pending, startTransition] = useTransition();
  return {
    error,
    fieldErrors,
    pending,
    run(action, done) {
      startTransition(async () => {
        try {
          const result = await action();
          if (result.error !== undefined) {
            setError(result.error);
            setFieldErrors(result.fieldErrors ?? {});
            return;
          }
          toast.success(done.success(result.data));
          onOpenChange(false);
          done.after?.(result.data);
        } catch {
          // A thrown error (network, a refused origin) stays in the form, not the error boundary.
          setError(UNEXPECTED);
        }
      });
    },
  };
}

export function FormDialogFrame({
  formId,
  title,
  description,
  form,
  submitLabel,
  onSubmit,
  onCancel,
  children,
}: {
  formId: string;
  title: string;
  description: ReactNode;
  form: Pick<ActionForm, "error" | "pending">;
  submitLabel: string;
  onSubmit: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <>
      <DialogHeader>
        <DialogTitle>{title}</DialogTitle>
        <DialogDescription>{description}</DialogDescription>
      </DialogHeader>
      <form
        id={formId}
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit();
        }}
        className="grid gap-5"
        noValidate
      >
        {children}
        {form.error ? (
          <p role="alert" className="text-sm text-destructive">
            {form.error}
          </p>
        ) : null}
      </form>
      <DialogFooter>
        <Button variant="outline" type="button" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" form={formId} disabled={form.pending}>
          {form.pending ? "Saving…" : submitLabel}
        </Button>
      </DialogFooter>
    </>
  );
}
