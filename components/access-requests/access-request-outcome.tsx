import { CheckCircle2 } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { getMyAccessRequestState } from "@/lib/access-requests/request-state";
import { REQUEST_PURPOSE, type RequestedPermission } from "@/lib/access-requests/requested-permission";
import type { OrgAccess } from "@/lib/auth/access";

/**
 * Above a page the caller can now open (the explorer for audit.view, a settings page for
 * audit.manage): tells them once that their request was approved. Renders nothing otherwise.
 */
export async function AccessRequestOutcome({
  access,
  permission,
}: {
  access: OrgAccess;
  permission: RequestedPermission;
}) {
  if (!access.permissions.has(permission)) return null;
  const state = await getMyAccessRequestState(access.org.id, access.user.id, permission);
  if (state.kind !== "approved") return null;
  return (
    <Alert role="status">
      <CheckCircle2 className="size-4" aria-hidden />
      <AlertTitle>Your access request was approved</AlertTitle>
      <AlertDescription>
        {state.decidedByName ? `${state.decidedByName} approved it` : "It was approved"}
        {state.decidedAt ? ` on ${state.decidedAt.slice(0, 10)}` : ""}: you can now {REQUEST_PURPOSE[permission]}.
      </AlertDescription>
    </Alert>
  );
}
