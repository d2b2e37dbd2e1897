import "server-only";

import { and, count, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { accessRequests } from "@/db/schema";

export async function countPendingAccessRequests(orgId: string): Promise<number> {
  const [row] = await getDb()
    .select({ n: count() })
    .from(accessRequests)
    .where(and(eq(accessRequests.orgId, orgId), eq(accessRequests.status, "pending")));
  return row?.n ?? 0;
}
