import { CheckCircle2 } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import type { OrgAccess } from "@/lib/auth/access";
import { getMyAccessRequestState } from "../lib/access-request-state";

/**
 * For the explorer, above the log, when the caller holds audit.view: tells them once that their
 * access request was approved. Renders nothing otherwise.
 */
export async function AccessRequestOutcome({ access }: { access: OrgAccess }) {
  const state = await getMyAccessRequestState(access.org.id, access.user.id);
  if (state.kind !== "approved") return null;
  return (
    <Alert className="mb-4">
      <CheckCircle2 className="size-4" aria-hidden />
      <AlertTitle>Your access request was approved</AlertTitle>
      <AlertDescription>
        {state.decidedByName ? `${state.decidedByName} granted` : "You were granted"} access to view and export this
        organization&apos;s audit log.
      </AlertDescription>
    </Alert>
  );
}
