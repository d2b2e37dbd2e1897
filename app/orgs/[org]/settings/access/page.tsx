import type { Metadata } from "next";
import { AccessRequestOutcome } from "@/components/access-requests/access-request-outcome";
import { ManageAccessNotice } from "@/components/access-requests/manage-access-notice";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requirePageAccess, type OrgAccess } from "@/lib/auth/access";
import { AUDIT_PERMISSIONS } from "@/lib/auth/permissions";
import { DecidedRequests } from "./components/decided-requests";
import { MembersTable } from "./components/members-table";
import { PendingRequests } from "./components/pending-requests";
import { listAccessMembers, listDecidedAccessRequests, listPendingAccessRequests } from "./lib/queries";
import { approverRefusal, switchRefusal, type Actor } from "./lib/rules";
import type { AccessMember, AccessMemberRow } from "./lib/types";

export const metadata: Metadata = { title: "Access" };

function toRows(members: AccessMember[], actor: Actor): AccessMemberRow[] {
  const adminCount = members.filter((m) => m.role === "admin").length;
  return members.map((member) => {
    const target = { ...member, grants: member.permissions };
    return {
      member,
      isSelf: member.userId === actor.userId,
      switchRefusals: Object.fromEntries(
        AUDIT_PERMISSIONS.map((permission) => [permission, switchRefusal(actor, target, permission)]),
      ) as AccessMemberRow["switchRefusals"],
      canChangeRole: actor.role === "admin",
      isLastAdmin: member.role === "admin" && adminCount <= 1,
    };
  });
}

function toActor(access: OrgAccess): Actor {
  return { userId: access.user.id, role: access.role, permissions: access.permissions };
}

export default async function AccessSettingsPage({ params }: PageProps<"/orgs/[org]/settings/access">) {
  const { org } = await params;
  const { access, allowed } = await requirePageAccess(org, "audit.manage", `/orgs/${org}/settings/access`);
  if (!allowed) return <ManageAccessNotice access={access} />;
  const [members, pending, decided] = await Promise.all([
    listAccessMembers(access.org.id),
    listPendingAccessRequests(access.org.id),
    listDecidedAccessRequests(access.org.id),
  ]);
  const actor = toActor(access);
  const approveRefusal = approverRefusal(actor);

  return (
    <div className="mx-auto grid max-w-5xl gap-6 p-6">
      <AccessRequestOutcome access={access} permission="audit.manage" />
      <header>
        <h1 className="text-xl font-semibold">Access</h1>
        <p className="text-sm text-muted-foreground">
          Who can view, export and manage {access.org.name}&apos;s audit log. Changes apply at each person&apos;s next
          request and are written to the audit log.
        </p>
      </header>

      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Pending requests{pending.length > 0 ? ` (${pending.length})` : ""}</h2>
          </CardTitle>
          <CardDescription>
            Approving a request for the audit log grants “View logs” and “Export”; one to manage audit settings grants
            “Manage”.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <PendingRequests
            orgSlug={access.org.slug}
            requests={pending}
            approveRefusal={approveRefusal}
            viewerId={access.user.id}
          />
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Members</h2>
          </CardTitle>
          <CardDescription>
            Admins always hold every permission. Members can be given view and export; “Manage” is for managers and
            admins.
            {access.role === "admin" ? null : " Only admins can change roles."}
          </CardDescription>
        </CardHeader>
        <CardContent>
          <MembersTable orgSlug={access.org.slug} rows={toRows(members, actor)} />
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>
            <h2>Recent decisions</h2>
          </CardTitle>
        </CardHeader>
        <CardContent>
          <DecidedRequests requests={decided} />
        </CardContent>
      </Card>
    </div>
  );
}
