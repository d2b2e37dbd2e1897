import "server-only";

import { and, type SQL } from "drizzle-orm";
import type { auditLogs } from "@/db/schema/audit-logs";
import { buildFilterParts } from "@/lib/audit-log/where";
import { ruleWholeSearch } from "@/lib/notifications/rule-search";

/*
 * A destination's search as a condition of the query core: the explorer's search language read
 * by the same parser (as a notification rule's condition is) and turned into SQL by the same
 * builder (buildFilterParts), with its one difference from the explorer: no period. A stream
 * sends every new entry that matches, whenever it occurred, so the explorer's default "last 7
 * days" does not apply; a `created:` qualifier in the search still does. Without an organization
 * id the parts mean exactly their own filters (see buildFilterParts), and the caller scopes by
 * org_id itself. Undefined for an empty search: every entry matches.
 */
export function streamSearchWhere(t: typeof auditLogs, query: string): SQL | undefined {
  if (query.trim() === "") return undefined;
  const whole = ruleWholeSearch({ query, types: [], results: [] });
  const { period: _period, ...parts } = buildFilterParts(t, whole.params, whole.search);
  const conditions = Object.values(parts);
  return conditions.length === 0 ? undefined : and(...conditions);
}
