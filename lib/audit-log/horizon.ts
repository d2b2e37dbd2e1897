import "server-only";

import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";

/** application_name of the connections that exports read on (one per running export). */
export const EXPORT_APPLICATION_NAME = "audit-console-export";

/**
 * application_name that a background consumer's transaction takes for its own duration
 * (lib/worker/arrivals.ts). Such a transaction writes seals, outbox messages and cursors, never an
 * audit entry, so no horizon needs to wait for it: when the consumers waited for each other, the
 * matcher's batch held sealing back and a seal held the matcher back, seconds at a time.
 */
export const CONSUMER_APPLICATION_NAME = "audit-console-consumer";

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
 * database (exports' connections and background consumers' transactions, which write no entry,
 * excepted), truncated to the column's
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
              and pid <> pg_backend_pid()
              and xact_start is not null
              and application_name not in (${EXPORT_APPLICATION_NAME}, ${CONSUMER_APPLICATION_NAME})
              ${lookBack}
          ), 'infinity'::timestamptz)
        )) - ${`${Math.max(0, marginMs)} milliseconds`}::interval) as at`,
  );
  if (!row) throw new Error("The database did not answer the horizon query.");
  return row.at instanceof Date ? row.at : new Date(row.at);
}
