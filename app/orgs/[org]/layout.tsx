import type { ReactNode } from "react";
import { AppShell } from "@/components/app-shell/app-shell";
import { listUserOrganizations, requirePageAccess } from "@/lib/auth/access";
import { countPendingAccessRequests } from "@/lib/access-requests/count-pending";

export default async function OrgLayout({ children, params }: LayoutProps<"/orgs/[org]">) {
  const { org: slug } = await params;
  const { access } = await requirePageAccess(slug, null, `/orgs/${slug}/audit-logs`);
  const canManage = access.permissions.has("audit.manage");
  const [orgs, pendingRequests] = await Promise.all([
    listUserOrganizations(access.user.id),
    canManage ? countPendingAccessRequests(access.org.id) : Promise.resolve(0),
  ]);
  return (
    <AppShell
      org={{ slug: access.org.slug, name: access.org.name }}
      orgs={orgs.map((o) => ({ slug: o.slug, name: o.name }))}
      user={{ name: access.user.name, email: access.user.email }}
      canManage={canManage}
      pendingRequests={pendingRequests}
    >
      {children}
    </AppShell>
  );
}
