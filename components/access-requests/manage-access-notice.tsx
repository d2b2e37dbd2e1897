import { NoPermissionNotice } from "@/components/no-permission-notice";
import { getMyAccessRequestState } from "@/lib/access-requests/request-state";
import { canRequest } from "@/lib/access-requests/requested-permission";
import type { OrgAccess } from "@/lib/auth/access";
import { RequestAccessForm } from "./request-access-form";

export const MANAGE_NOTICE_TITLE = "You cannot manage this organization's audit settings";

function decidedBy(decidedByName: string | null, decidedAt: string | null): string {
  return `${decidedByName ? ` by ${decidedByName}` : ""}${decidedAt ? ` on ${decidedAt.slice(0, 10)}` : ""}`;
}

/**
 * What a settings page shows someone without audit.manage: what they lack (the "Manage"
 * permission, not the audit log, which they may well see), the contract's sentence, and the way
 * to ask for it, or the state of the request they made, or the decision on it (shown once).
 */
export async function ManageAccessNotice({ access }: { access: OrgAccess }) {
  const askable = canRequest(access.role, "audit.manage");
  const state = askable ? await getMyAccessRequestState(access.org.id, access.user.id, "audit.manage") : null;
  const canView = access.permissions.has("audit.view");
  const lead = (
    <>
      Retention, access, API keys, notifications and integrity settings need the “Manage” permission (audit.manage),
      which you do not hold.{canView ? " You can still view the audit log." : ""}
      {askable ? "" : " Only admins and managers can hold it: ask an admin to make you a manager."}
    </>
  );
  return (
    <NoPermissionNotice title={MANAGE_NOTICE_TITLE} lead={lead}>
      {state?.kind === "declined" ? (
        <p role="status" className="mb-3 text-foreground">
          Your request to manage audit settings was declined{decidedBy(state.decidedByName, state.decidedAt)}. You can
          ask again, with a message explaining why you need it.
        </p>
      ) : null}
      {state?.kind === "approved" ? (
        // Approved, yet the caller is here: the permission was taken away again since.
        <p role="status" className="mb-3 text-foreground">
          Your request to manage audit settings was approved{decidedBy(state.decidedByName, state.decidedAt)}, but your
          access has since been changed. You can ask again.
        </p>
      ) : null}
      {askable ? (
        <RequestAccessForm
          orgSlug={access.org.slug}
          permission="audit.manage"
          pendingSince={state?.kind === "pending" ? state.requestedAt : null}
        />
      ) : null}
    </NoPermissionNotice>
  );
}
