import { NoPermissionNotice } from "@/components/no-permission-notice";
import type { OrgAccess } from "@/lib/auth/access";
import { RequestAccessForm } from "@/components/access-requests/request-access-form";
import { getMyAccessRequestState, type AccessRequestState } from "@/lib/access-requests/request-state";

function decidedBy(state: Extract<AccessRequestState, { decidedByName: string | null }>): string {
  const by = state.decidedByName ? ` by ${state.decidedByName}` : "";
  const on = state.decidedAt ? ` on ${state.decidedAt.slice(0, 10)}` : "";
  return `${by}${on}`;
}

function Outcome({ state }: { state: AccessRequestState }) {
  if (state.kind === "declined") {
    return (
      <p role="status" className="mb-3 text-foreground">
        Your access request was declined{decidedBy(state)}. You can ask again, with a message explaining why you need
        access.
      </p>
    );
  }
  if (state.kind === "approved") {
    // Approved, yet the caller is here: the permission was taken away again since.
    return (
      <p role="status" className="mb-3 text-foreground">
        Your access request was approved{decidedBy(state)}, but your access has since been changed. You can ask again.
      </p>
    );
  }
  return null;
}

/**
 * What the explorer shows someone without audit.view: the contract's notice with a way to request
 * access, or the state of the request they already made, or the decision on it (shown once).
 */
export async function AccessRequestNotice({ access }: { access: OrgAccess }) {
  const state = await getMyAccessRequestState(access.org.id, access.user.id);
  return (
    <NoPermissionNotice>
      <Outcome state={state} />
      <RequestAccessForm orgSlug={access.org.slug} pendingSince={state.kind === "pending" ? state.requestedAt : null} />
    </NoPermissionNotice>
  );
}
