import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { AppShell } from "@/components/app-shell/app-shell";
import { getOrgAccess, listUserOrganizations } from "@/lib/auth/access";
import { REQUESTED_URL_HEADER, requestedOrgPath } from "@/lib/auth/requested-url";
import { countPendingAccessRequests } from "@/lib/access-requests/count-pending";
import { readerTimeZone } from "@/lib/preferences/reader-time-zone";

export default async function OrgLayout({ children, params }: LayoutProps<"/orgs/[org]">) {
  const { org: slug } = await params;
  const result = await getOrgAccess(slug);
  if (!result.ok) {
    if (result.reason === "unauthenticated") {
      // Here, above the pages' loading boundaries, the redirect is still a real 307. The URL comes
      // from the proxy; without it the page itself sends the visitor to sign in.
      const requested = requestedOrgPath((await headers()).get(REQUESTED_URL_HEADER), slug);
      if (requested) redirect(`/login?callbackUrl=${encodeURIComponent(requested)}`);
      return children;
    }
    notFound();
  }
  const { access } = result;
  const canManage = access.permissions.has("audit.manage");
  const [orgs, pendingRequests, timeZone] = await Promise.all([
    listUserOrganizations(access.user.id),
    canManage ? countPendingAccessRequests(access.org.id) : Promise.resolve(0),
    readerTimeZone(),
  ]);
  return (
    <AppShell
      org={{ slug: access.org.slug, name: access.org.name }}
      orgs={orgs.map((o) => ({ slug: o.slug, name: o.name }))}
      user={{ name: access.user.name, email: access.user.email }}
      timeZone={timeZone}
      canManage={canManage}
      pendingRequests={pendingRequests}
    >
      {children}
    </AppShell>
  );
}
