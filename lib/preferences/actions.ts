"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { userPreferences } from "@/db/schema";
import { orgAction } from "@/lib/actions/org-action";
import { EXPLORER_COLUMN_IDS, shownColumns } from "@/lib/audit-log/columns";
import { isTimeZone } from "@/lib/audit-log/dates";
import { DENSITIES, type ExplorerLayout } from "./types";

const timeZoneInput = z.object({
  // null: follow the browser again.
  timeZone: z.string().max(64).refine(isTimeZone).nullable(),
});

/*
 * A reader's display preferences, the same in every organization. Each person sets only their
 * own; the organization's audit log gets no entry for them: they change how one person reads the
 * log, not anything on the platform the log is about.
 */
export const saveTimeZone = orgAction(
  {
    name: "saveTimeZone",
    schema: timeZoneInput,
    invalid: "Choose a time zone from the list.",
    permission: null,
    failure: "The time zone could not be saved. Try again in a moment.",
    revalidate: () => revalidatePath("/orgs", "layout"),
  },
  async ({ timeZone }, { user, db }): Promise<{ timeZone: string | null }> => {
    await db
      .insert(userPreferences)
      .values({ userId: user.id, timeZone })
      .onConflictDoUpdate({ target: userPreferences.userId, set: { timeZone, updatedAt: new Date() } });
    return { timeZone };
  },
);

const layoutInput = z.object({
  columns: z.array(z.enum(EXPLORER_COLUMN_IDS)).max(EXPLORER_COLUMN_IDS.length),
  density: z.enum(DENSITIES),
  chart: z.boolean(),
});

/** The explorer's columns, row height and histogram for this reader, kept for their next visit. */
export const saveExplorerLayout = orgAction(
  {
    name: "saveExplorerLayout",
    schema: layoutInput,
    invalid: "Choose columns, a row height and the chart from the menu.",
    permission: "audit.view",
    failure: "The view could not be saved. Try again in a moment.",
  },
  async ({ columns, density, chart }, { user, db }): Promise<ExplorerLayout> => {
    const shown = shownColumns(columns);
    await db
      .insert(userPreferences)
      .values({ userId: user.id, explorerColumns: shown, density, explorerChart: chart })
      .onConflictDoUpdate({
        target: userPreferences.userId,
        set: { explorerColumns: shown, density, explorerChart: chart, updatedAt: new Date() },
      });
    return { columns: shown, density, chart };
  },
);
