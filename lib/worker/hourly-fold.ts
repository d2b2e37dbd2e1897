import "server-only";

import { getDb } from "@/db/client";
import { markWritesNoEntries } from "@/lib/audit-log/horizon";
import { FOLD_BATCH, foldHourlyCounts } from "@/lib/audit-log/hourly-counts";
import type { Job } from "./runner";

/** How often the hourly roll-up's delta rows are folded; reads are exact either way. */
const FOLD_INTERVAL_MS = 30_000;

/*
 * Each ingestion statement adds a few delta rows to the roll-up; folding them keeps a 30-day read
 * to a few thousand rows. It comes back at once while there is a backlog (after a pause in the
 * worker, say), a batch of hours at a time.
 */
export const hourlyFoldJob: Job = {
  name: "hourly-fold",
  idleMs: FOLD_INTERVAL_MS,
  async run() {
    const touched = await getDb().transaction(async (tx) => {
      await markWritesNoEntries(tx);
      return foldHourlyCounts(tx);
    });
    return touched >= FOLD_BATCH ? touched : 0;
  },
};
