/*
 * The organization views every organization starts with, from the KIOPS guide's security
 * monitoring steps: failed authentication, and the user-category actions the access settings
 * record (role changes, grants, revocations, approved requests). Written into each new
 * organization (db/seed) and, for organizations that existed before saved views, by migration
 * 0017 with these same texts; from then on they are ordinary organization views. The searches are
 * written as the explorer's serializer writes them (a unit test holds them to it).
 */
export const BUILT_IN_VIEWS = [
  { name: "Security events", search: "type=auth&result=failed" },
  {
    name: "Permission changes",
    search:
      "type=user&q=action%3Achange_role+action%3Agrant_permission+action%3Arevoke_permission+action%3Aapprove_access_request",
  },
] as const;

/** The rows that give each of these organizations the views it starts with. */
export function builtInViewsOf(orgIds: readonly string[]) {
  return orgIds.flatMap((orgId) =>
    BUILT_IN_VIEWS.map((view) => ({ orgId, ownerId: null, name: view.name, search: view.search, shared: true })),
  );
}
