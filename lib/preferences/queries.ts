import "server-only";

import { eq } from "drizzle-orm";
import { cache } from "react";
import { getDb, type Executor } from "@/db/client";
import { userPreferences } from "@/db/schema";
import { shownColumns } from "@/lib/audit-log/columns";
import { isDensity, type ReaderPreferences } from "./types";

/**
 * One read per request, shared by the layout and the page. Inside a transaction pass it: the
 * embedded database has one connection, which the transaction holds until it ends.
 */
export const readPreferences = cache(async (userId: string, db: Executor = getDb()): Promise<ReaderPreferences> => {
  const [row] = await db
    .select({
      timeZone: userPreferences.timeZone,
      columns: userPreferences.explorerColumns,
      density: userPreferences.density,
      chart: userPreferences.explorerChart,
    })
    .from(userPreferences)
    .where(eq(userPreferences.userId, userId))
    .limit(1);
  return {
    timeZone: row?.timeZone ?? null,
    columns: shownColumns(row?.columns ?? null),
    density: row && isDensity(row.density) ? row.density : "comfortable",
    chart: row?.chart ?? true,
  };
});
