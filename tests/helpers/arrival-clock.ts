import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";

/*
 * received_at is the storing transaction's now() rounded to the millisecond, and the committed
 * horizon is the clock truncated to it (lib/audit-log/horizon.ts). An entry whose transaction
 * started within about a millisecond of a consumer's read is left to the consumer's next call, as
 * in service (500 ms later). A test that reads once, right after storing, first waits for the clock
 * to pass the newest stored entry; it waits for no open transaction, so a test that holds one
 * open on purpose is not held up by it.
 */
export async function untilClockPassesStoredEntries(db: Executor): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const [row] = await queryRows<{ passed: boolean }>(
      db,
      sql`select coalesce(date_trunc('milliseconds', clock_timestamp()) > (select max(received_at) from audit_logs), true) as passed`,
    );
    if (row?.passed) return;
    if (Date.now() > deadline) throw new Error("The database clock did not pass the newest stored entry within 5 s.");
  }
}
