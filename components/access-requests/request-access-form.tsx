"use client";

import { CheckCircle2, Send } from "lucide-react";
import { useId, useState, useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { requestAccess } from "@/lib/access-requests/request-actions";
import type { RequestedPermission } from "@/lib/access-requests/requested-permission";

interface RequestAccessFormProps {
  orgSlug: string;
  /** When the caller's open request was made, if they have one. */
  pendingSince: string | null;
  /** What is asked for: the audit log (the default) or its settings. */
  permission?: RequestedPermission;
}

function formatUtc(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * A notice's "Request access" action: an optional message, then the request's pending state.
 * Shared by the explorer (asking for the log) and the settings pages (asking to manage it).
 */
export function RequestAccessForm({ orgSlug, pendingSince, permission = "audit.view" }: RequestAccessFormProps) {
  const [sentAt, setSentAt] = useState(pendingSince);
  const [justSent, setJustSent] = useState(false);
  const [message, setMessage] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const messageId = useId();

  if (sentAt) {
    return (
      <div role="status" className="grid gap-1">
        <p className="flex items-center gap-2 font-medium text-foreground">
          <CheckCircle2 className="size-4" aria-hidden /> {justSent ? "Request sent" : "Request pending"}
        </p>
        <p>
          You asked for access on <time dateTime={sentAt}>{formatUtc(sentAt)}</time>. An administrator will review your
          request; you will see the outcome here on your next visit.
        </p>
      </div>
    );
  }

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    startTransition(async () => {
      try {
        const result = await requestAccess(orgSlug, { message, permission });
        if (result.error !== undefined) {
          setError(result.error);
          return;
        }
        toast.success(result.data.message);
        setJustSent(!result.data.alreadyPending);
        setSentAt(result.data.requestedAt);
      } catch {
        setError("Your request could not be sent. Reload the page and try again.");
      }
    });
  }

  return (
    <form onSubmit={submit} className="grid w-full gap-2">
      <Label htmlFor={messageId} className="text-foreground">
        Message (optional)
      </Label>
      <Textarea
        id={messageId}
        name="message"
        value={message}
        onChange={(e) => setMessage(e.target.value)}
        maxLength={1000}
        placeholder="Why you need access, e.g. the incident you are looking into"
        disabled={pending}
      />
      {error ? (
        <p role="alert" className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
      <div>
        <Button type="submit" disabled={pending} aria-busy={pending || undefined}>
          <Send aria-hidden /> {pending ? "Sending…" : "Request access"}
        </Button>
      </div>
    </form>
  );
}
