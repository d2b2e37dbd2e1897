import { redirect } from "next/navigation";
import { getOrgAccess } from "@/lib/auth/access";

// Reads the session on every request: never cached, never pre-rendered.
export const dynamic = "force-dynamic";

/*
 * An entry's permalink, the link notifications carry. A route handler rather than a page: a page
 * here renders inside the explorer's loading boundary, so its redirect would reach the browser as
 * a 200 with the skeleton and a client-side refresh; this answers with a plain 307 instead.
 * The permalink only names the entry. The explorer behind it checks the permission and finds the
 * entry, or says it cannot, with the same answer for a missing entry and another organization's
 * (and the not-found page for an organization the caller is not in).
 */
export async function GET(_request: Request, { params }: RouteContext<"/orgs/[org]/audit-logs/[id]">): Promise<never> {
  const { org, id } = await params;
  const self = `/orgs/${encodeURIComponent(org)}/audit-logs/${encodeURIComponent(id)}`;
  const result = await getOrgAccess(org);
  if (!result.ok && result.reason === "unauthenticated") redirect(`/login?callbackUrl=${encodeURIComponent(self)}`);
  redirect(`/orgs/${encodeURIComponent(org)}/audit-logs?entry=${encodeURIComponent(id)}`);
}
