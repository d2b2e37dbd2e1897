"use server";

import { z } from "zod";
import { orgAction } from "@/lib/actions/org-action";
import { searchPeople, type PersonMatch } from "@/lib/audit-log/people-search";

const MAX_TEXT = 200;
const MAX_RESULTS = 8;

/**
 * The filter panel's user search: the organization's members and the actors of its log (removed
 * members, service accounts) by name, email or id. A server action is a public endpoint, so it
 * checks the origin, the session and audit.view itself, whatever the page did; the search is
 * scoped to the organization the caller is checked in.
 */
export const searchUsers = orgAction(
  {
    name: "searchUsers",
    schema: z.string(),
    invalid: "The search could not be read.",
    permission: "audit.view",
    failure: "Users could not be searched. Try again.",
  },
  async (text, { org }): Promise<PersonMatch[]> => searchPeople(org.id, text.slice(0, MAX_TEXT), MAX_RESULTS),
);
