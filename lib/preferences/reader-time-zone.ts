import "server-only";

import { cookies } from "next/headers";
import { cache } from "react";
import type { Executor } from "@/db/client";
import { DEFAULT_TIME_ZONE, isTimeZone } from "@/lib/audit-log/dates";
import { getSessionUser } from "@/lib/auth/access";
import { readPreferences } from "./queries";
import { TIME_ZONE_COOKIE } from "./time-zone-cookie";
import type { ReaderTimeZone } from "./types";

/**
 * The reader's time zone: the one saved in the user menu, else the one the browser reported, else
 * UTC. Every time the console shows, every day it bounds ("today", custom dates, `created:`) and
 * the export's times use it, unless a link names its own zone (`tz=`).
 */
export const readerTimeZone = cache(async (): Promise<ReaderTimeZone> => {
  const user = await getSessionUser();
  return zoneOf(user ? (await readPreferences(user.id)).timeZone : null);
});

/** The same for a server action that runs in a transaction, with the user it checked. */
export async function readerTimeZoneIn(db: Executor, userId: string): Promise<ReaderTimeZone> {
  return zoneOf((await readPreferences(userId, db)).timeZone);
}

async function zoneOf(saved: string | null): Promise<ReaderTimeZone> {
  if (saved && isTimeZone(saved)) return { zone: saved, source: "setting" };
  const reported = (await cookies()).get(TIME_ZONE_COOKIE)?.value;
  if (reported && isTimeZone(reported)) return { zone: reported, source: "browser" };
  return { zone: DEFAULT_TIME_ZONE, source: "default" };
}
