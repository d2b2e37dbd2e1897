import { notFound } from "next/navigation";
import { AppShell } from "@/components/app-shell/app-shell";
import { getOrgAccess, listUserOrganizations } from "@/lib/auth/access";
import { countPendingAccessRequests } from "@/lib/access-requests/count-pending";

export default async function OrgLayout({ children, params }: LayoutProps<"/orgs/[org]">) {
  const { org: slug } = await params;
  const result = await getOrgAccess(slug);
  if (!result.ok) {
    // A layout does not see the search params: the page itself sends signed-out visitors to sign
    // in with its whole URL as the way back, so here they only get the bare page to do that.
    if (result.reason === "unauthenticated") return children;
    notFound();
  }
  const { access } = result;
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
