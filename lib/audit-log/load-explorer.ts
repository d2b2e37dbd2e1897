import "server-only";

import { getDb, type Database } from "@/db/client";
import { getReadDb } from "@/db/read-replica";
import { anchorCursorFromPrev } from "@/lib/audit-log/anchor-cursor";
import { countMatching, EXACT_COUNT_LIMIT, type MatchCount } from "@/lib/audit-log/counts";
import { getEntryDetails, getTimeline, listAuditEntries, locateEntry, type AuditPage } from "@/lib/audit-log/entries";
import type { AuditSelection } from "@/lib/audit-log/selection";
import { withCollapsedJson } from "@/lib/audit-log/json-view";
import { auditTableFor } from "@/lib/audit-log/tables";
import type { AuditEntryDetails, TimelineStep } from "@/lib/audit-log/types";
import type { FilterPart } from "@/lib/audit-log/where";
import { entrySealView } from "@/lib/integrity/entry-seal";
import type { SealView } from "@/lib/integrity/seal-view";

export type DeepLinkState = { status: "not-found" } | { status: "outside-filters"; excludedBy: FilterPart[] } | null;

export interface ExplorerData {
  page: AuditPage;
  count: MatchCount;
  /** The entry named by `entry`, with the steps of its operation. */
  selected: { details: AuditEntryDetails; timeline: TimelineStep[]; seal?: SealView | null } | null;
  deepLink: DeepLinkState;
  /** Reopens exactly this page when it is a deep-link window that no URL cursor describes. */
  anchorCursor: string | null;
}

async function withTimeline(db: Database, selection: AuditSelection, details: AuditEntryDetails | null) {
  if (!details) return null;
  // Sent to the client: deep or large JSON goes as an outline, so the page stays small.
  details = withCollapsedJson(details);
  const table = auditTableFor(selection.params.scope);
  const [timeline, seal] = await Promise.all([
    details.correlationId ? getTimeline(selection.orgId, details.correlationId, table, undefined, db) : [],
    // Integrity: the entry's seal, checked against its block (lib/integrity).
    entrySealView(selection.orgId, details.id, selection.params.scope, db),
  ]);
  return { details, timeline, seal };
}

/**
 * Everything the explorer shows, read in parallel: the page, the capped count and the selected
 * entry. Only a deep link to an entry that is not on the listed page costs a second round, to
 * find the page around it (or why the filters exclude it). Errors propagate to error.tsx: an
 * empty table must mean "no entries", never "the database failed".
 *
 * It reads from the read replica when one serves (`db`). A deep link to an entry the replica does
 * not have is read again, whole, from the primary: the entry may have been stored a moment ago
 * (a link sent right after ingestion) and the replica not have received it yet, and the page
 * around it must come from the same database as the entry.
 */
export async function loadExplorer(selection: AuditSelection, db: Database = getReadDb()): Promise<ExplorerData> {
  const { orgId, params } = selection;
  const table = auditTableFor(params.scope);
  const [listed, count, selected] = await Promise.all([
    listAuditEntries(selection, db),
    countMatching(selection, { cap: EXACT_COUNT_LIMIT, db }),
    params.entry
      ? getEntryDetails(orgId, params.entry, table, db).then((d) => withTimeline(db, selection, d))
      : Promise.resolve(null),
  ]);
  const base = { count, selected, anchorCursor: null };
  if (!params.entry) return { ...base, page: listed, deepLink: null };
  if (!selected) {
    const primary = getDb();
    if (db !== primary) return loadExplorer(selection, primary);
    return { ...base, page: listed, deepLink: { status: "not-found" } };
  }
  if (listed.entries.some((e) => e.id === selected.details.id)) return { ...base, page: listed, deepLink: null };

  const located = await locateEntry(selection, params.entry, db);
  switch (located.status) {
    case "found":
      return {
        ...base,
        page: located.page,
        deepLink: null,
        anchorCursor: anchorCursorFromPrev(located.page.prevCursor),
      };
    case "outside-filters":
      return { ...base, page: listed, deepLink: { status: "outside-filters", excludedBy: located.excludedBy } };
    case "not-found":
      // Removed between the two reads (retention): the same answer as a missing id.
      return { ...base, selected: null, page: listed, deepLink: { status: "not-found" } };
  }
}
