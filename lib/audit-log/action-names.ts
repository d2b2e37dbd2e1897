import "server-only";

import { sql } from "drizzle-orm";
import { getDb, queryRows } from "@/db/client";

interface ActionRow extends Record<string, unknown> {
  action: string;
}

const MAX_PREFIX = 100;

/**
 * The organization's distinct actions that start with `prefix`, in order: a loose index scan of
 * org_action_idx (org_id, action collate "C", ...), one index descent per action returned, so the
 * cost follows the suggestions, not the log (a DISTINCT over the entries would read them all).
 */
export async function suggestActions(orgId: string, prefix: string, limit = 8): Promise<string[]> {
  const start = prefix.slice(0, MAX_PREFIX);
  const rows = await queryRows<ActionRow>(
    getDb(),
    sql`with recursive found(action) as (
      (select (action collate "C") from audit_logs
        where org_id = ${orgId} and (action collate "C") >= (${start} collate "C")
        order by (action collate "C") limit 1)
      union all
      select (select (a.action collate "C") from audit_logs a
          where a.org_id = ${orgId} and (a.action collate "C") > found.action
          order by (a.action collate "C") limit 1)
      from found
      where found.action is not null and left(found.action, ${start.length}) = ${start}
    )
    select action from found
    where action is not null and left(action, ${start.length}) = ${start}
    limit ${Math.max(1, Math.min(limit, 20))}`,
  );
  return rows.map((r) => r.action);
}
