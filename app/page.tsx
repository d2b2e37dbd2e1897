import { redirect } from "next/navigation";
import { getSessionUser, listUserOrganizations } from "@/lib/auth/access";

export default async function HomePage() {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  const [first] = await listUserOrganizations(user.id);
  if (!first) redirect("/login?error=NoOrganization");
  redirect(`/orgs/${first.slug}/audit-logs`);
}
