"use server";

import type { ActionResult } from "@/lib/action-result";
import { authorizeAction } from "@/lib/auth/access";
import { searchOrgUsers, type OrgUserMatch } from "./queries";

const MAX_TEXT = 200;
const MAX_RESULTS = 8;

/**
 * The filter panel's user search: members of the organization by name or email. A server action
 * is a public endpoint, so it checks the session and audit.view itself, whatever the page did.
 */
export async function searchUsers(orgSlug: unknown, text: unknown): Promise<ActionResult<OrgUserMatch[]>> {
  if (typeof orgSlug !== "string" || typeof text !== "string") return { error: "The search could not be read." };
  const auth = await authorizeAction(orgSlug, "audit.view");
  if (auth.error !== undefined) return { error: auth.error };
  try {
    return { data: await searchOrgUsers(auth.access.org.id, text.slice(0, MAX_TEXT), MAX_RESULTS) };
  } catch {
    return { error: "Users could not be searched. Try again." };
  }
}
