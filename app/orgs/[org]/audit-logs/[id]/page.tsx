import { redirect } from "next/navigation";
import { requirePageAccess } from "@/lib/auth/access";

// The permalink only names the entry; the explorer finds it (or says it cannot) with the same
// answer for a missing entry and another organization's.
export default async function AuditEntryPermalink({ params }: PageProps<"/orgs/[org]/audit-logs/[id]">) {
  const { org, id } = await params;
  await requirePageAccess(org, null, `/orgs/${org}/audit-logs/${id}`);
  redirect(`/orgs/${encodeURIComponent(org)}/audit-logs?entry=${encodeURIComponent(id)}`);
}
