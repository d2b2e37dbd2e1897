"use client";

import { Copy } from "lucide-react";
import { toast } from "sonner";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { SECRET_ROTATION_GRACE_HOURS } from "@/lib/notifications/secret-rotation";

/** A secret as a creation or a rotation answers it; `rotated` when it replaces one. */
export interface ShownSecret {
  name: string;
  secret: string;
  rotated: boolean;
}

/** A webhook's or NDJSON stream's signing secret, shown this once. */
export function SecretDialog({ secret, onClose }: { secret: ShownSecret | null; onClose: () => void }) {
  async function copy() {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret.secret);
      toast.success("Secret copied");
    } catch {
      toast.error("The browser did not allow copying; select the secret and copy it.");
    }
  }
  return (
    <Dialog open={secret !== null} onOpenChange={(open) => (open ? null : onClose())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Signing secret of “{secret?.name}”</DialogTitle>
          <DialogDescription>
            Copy it now: it is shown only once. Your receiver checks each request&apos;s <code>X-Audit-Signature</code>{" "}
            (HMAC-SHA256 of the body) with it.
            {secret?.rotated
              ? ` The previous secret signs each message too for ${SECRET_ROTATION_GRACE_HOURS} hours, in X-Audit-Signature-Previous, so switch your receiver within that time.`
              : null}
          </DialogDescription>
        </DialogHeader>
        <Alert>
          <AlertDescription>
            <code data-testid="webhook-secret" className="font-mono text-xs break-all select-all">
              {secret?.secret}
            </code>
          </AlertDescription>
        </Alert>
        <DialogFooter>
          <Button variant="outline" onClick={copy}>
            <Copy className="size-4" aria-hidden /> Copy
          </Button>
          <Button onClick={onClose}>Done</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
