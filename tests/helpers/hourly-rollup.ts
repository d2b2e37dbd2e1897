import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";

/*
 * The keys on which the hourly roll-up and the live log disagree: its summed deltas against a
 * count of the log itself, both ways. Empty when the triggers and retention kept it exact.
 */
export async function hourlyRollupMismatches(db: Executor): Promise<string[]> {
  const rows = await queryRows<{ key: string; rollup: string | number | null; log: string | number | null }>(
    db,
    sql`with rollup as (
          select org_id, hour, category, result, level, sum(n) as n from audit_log_hourly
          group by 1, 2, 3, 4, 5 having sum(n) <> 0
        ),
        log as (
          select org_id, date_bin('1 hour', occurred_at, timestamptz '2000-01-01 00:00:00+00') as hour,
            category, result, level, count(*) as n
          from audit_logs group by 1, 2, 3, 4, 5
        )
        select concat_ws(' ', coalesce(r.org_id, l.org_id), coalesce(r.hour, l.hour), coalesce(r.category, l.category),
            coalesce(r.result, l.result), coalesce(r.level, l.level)) as key, r.n as rollup, l.n as log
        from rollup r full join log l
          on r.org_id = l.org_id and r.hour = l.hour and r.category = l.category and r.result = l.result and r.level = l.level
        where r.n is distinct from l.n
        order by 1 limit 20`,
  );
  return rows.map((r) => `${r.key}: roll-up ${r.rollup ?? 0}, log ${r.log ?? 0}`);
}
