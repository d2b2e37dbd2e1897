"use server";

import { z } from "zod";
import { orgAction } from "@/lib/actions/org-action";
import { searchOrgUsers, type OrgUserMatch } from "./queries";

const MAX_TEXT = 200;
const MAX_RESULTS = 8;

/**
 * The filter panel's user search: members of the organization by name or email. A server action
 * is a public endpoint, so it checks the origin, the session and audit.view itself, whatever the
 * page did.
 */
export const searchUsers = orgAction(
  {
    name: "searchUsers",
    schema: z.string(),
    invalid: "The search could not be read.",
    permission: "audit.view",
    failure: "Users could not be searched. Try again.",
  },
  async (text, { org }): Promise<OrgUserMatch[]> => searchOrgUsers(org.id, text.slice(0, MAX_TEXT), MAX_RESULTS),
);
