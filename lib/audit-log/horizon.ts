import "server-only";

import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";

/** application_name of the connections that exports read on (one per running export). */
export const EXPORT_APPLICATION_NAME = "audit-console-export";

/**
 * application_name that a background transaction writing no audit entry takes for its own
 * duration (the arrival consumers of lib/worker/arrivals.ts, the roll-up's fold). No horizon needs
 * to wait for such a transaction: when they counted, the matcher's batch held sealing back, a seal
 * held the matcher back, and a fold held both, seconds at a time.
 */
export const BACKGROUND_APPLICATION_NAME = "audit-console-background";

/** Names the transaction as one that writes no audit entry (see BACKGROUND_APPLICATION_NAME). */
export async function markWritesNoEntries(tx: Executor): Promise<void> {
  // Local to the transaction: the pooled connection gets its own name back at commit.
  await queryRows(tx, sql`select set_config('application_name', ${BACKGROUND_APPLICATION_NAME}, true)`);
}

export interface HorizonOptions {
  /**
   * Open transactions older than this are not waited for (an idle-in-transaction session cannot
   * pin the horizon); null waits for every one of them.
   */
  lookBackMs: number | null;
  /** Kept back from the horizon, for a transaction that has taken its start time but not yet shown. */
  marginMs: number;
}

/*
 * The instant before which every entry is committed. received_at is the inserting transaction's
 * start time (now()), so an entry of a transaction that is still open has a received_at at or
 * after that transaction's start; the horizon is taken before the oldest transaction open in this
 * database by a client connection (exports' connections and background transactions that write no
 * entry excepted; autovacuum's workers write none either, and a vacuum of a large partition runs
 * for minutes, holding every consumer back the whole time), truncated to the column's
 * millisecond precision, minus the margin. A read in a LATER statement then sees every entry
 * received before the horizon, and no transaction can still add one there. Exports count at it;
 * background consumers read new entries up to it.
 */
export async function committedHorizon(db: Executor, { lookBackMs, marginMs }: HorizonOptions): Promise<Date> {
  const lookBack =
    lookBackMs === null
      ? sql``
      : sql`and xact_start > clock_timestamp() - ${`${Math.max(0, lookBackMs)} milliseconds`}::interval`;
  const [row] = await queryRows<{ at: string | Date }>(
    db,
    sql`select (date_trunc('milliseconds', least(
          clock_timestamp(),
          coalesce((
            select min(xact_start) from pg_stat_activity
            where datname = current_database()
              and backend_type = 'client backend'
              and pid <> pg_backend_pid()
              and xact_start is not null
              and application_name not in (${EXPORT_APPLICATION_NAME}, ${BACKGROUND_APPLICATION_NAME})
              ${lookBack}
          ), 'infinity'::timestamptz)
        )) - ${`${Math.max(0, marginMs)} milliseconds`}::interval) as at`,
  );
  if (!row) throw new Error("The database did not answer the horizon query.");
  return row.at instanceof Date ? row.at : new Date(row.at);
}
