import "server-only";

import { and, asc, eq, ilike, or, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { memberships, users } from "@/db/schema";
import { escapeLike } from "@/lib/audit-log/where";
import { isSafeText } from "@/lib/validation/safe-text";

export interface OrgUserMatch {
  id: string;
  name: string;
  email: string;
}

/**
 * Members of the organization whose name or email contains the text (case-insensitively), for
 * the user filter's search box. Prefix matches come first. Members are few per organization, so
 * the membership primary key (org_id, user_id) bounds the work.
 */
export async function searchOrgUsers(orgId: string, text: string, limit = 10): Promise<OrgUserMatch[]> {
  const needle = text.trim().toLowerCase().slice(0, 200);
  // Nobody's name holds such text, and PostgreSQL would refuse the query rather than find none.
  if (!isSafeText(needle)) return [];
  const size = Math.min(Math.max(1, Math.floor(limit)), 50);
  const matches =
    needle === ""
      ? undefined
      : or(ilike(users.name, `%${escapeLike(needle)}%`), ilike(users.email, `%${escapeLike(needle)}%`));
  const prefix = `${escapeLike(needle)}%`;
  return getDb()
    .select({ id: users.id, name: users.name, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), matches))
    .orderBy(
      sql`(lower(${users.email}) like ${prefix} or lower(${users.name}) like ${prefix}) desc`,
      asc(users.name),
      asc(users.email),
    )
    .limit(size);
}
