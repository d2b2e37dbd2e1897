import "server-only";

import { and, asc, eq, isNull, or, sql } from "drizzle-orm";
import { getDb, type Executor } from "@/db/client";
import { savedViews, users } from "@/db/schema";
import type { OrgAccess } from "@/lib/auth/access";
import { visibilityOf, type SavedView } from "./types";

/**
 * The views this reader sees in the organization: its organization views, the views members
 * shared, and their own; organization views first, then by name.
 */
export async function listSavedViews(access: OrgAccess, db: Executor = getDb()): Promise<SavedView[]> {
  const rows = await db
    .select({
      id: savedViews.id,
      name: savedViews.name,
      search: savedViews.search,
      ownerId: savedViews.ownerId,
      shared: savedViews.shared,
      ownerName: users.name,
    })
    .from(savedViews)
    .leftJoin(users, eq(users.id, savedViews.ownerId))
    .where(
      and(
        eq(savedViews.orgId, access.org.id),
        or(isNull(savedViews.ownerId), eq(savedViews.shared, true), eq(savedViews.ownerId, access.user.id)),
      ),
    )
    .orderBy(sql`${savedViews.ownerId} is not null`, asc(savedViews.name), asc(savedViews.id));
  const manages = access.permissions.has("audit.manage");
  return rows.map((row) => {
    const mine = row.ownerId === access.user.id;
    const visibility = visibilityOf(row);
    return {
      id: row.id,
      name: row.name,
      search: row.search,
      visibility,
      ownerName: mine || row.ownerId === null ? null : row.ownerName,
      mine,
      // A member's own views are theirs; what everyone sees is also in the managers' care.
      canEdit: mine || (manages && visibility !== "private"),
    };
  });
}
