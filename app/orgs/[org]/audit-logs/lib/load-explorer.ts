import "server-only";

import { anchorCursorFromPrev } from "./anchor-cursor";
import { auditTableFor, type FilterPart } from "./filters";
import {
  countMatching,
  getEntryDetails,
  getTimeline,
  listAuditEntries,
  locateEntry,
  type AuditPage,
  type MatchCount,
} from "./queries";
import type { SearchQuery } from "./search-language";
import type { ExplorerParams } from "./search-params";
import type { AuditEntryDetails, TimelineStep } from "./types";

/** Up to this many matches are counted exactly; beyond it the page says "10,000+". */
export const EXACT_COUNT_LIMIT = 10_000;

export type DeepLinkState = { status: "not-found" } | { status: "outside-filters"; excludedBy: FilterPart[] } | null;

export interface ExplorerData {
  page: AuditPage;
  count: MatchCount;
  /** The entry named by `entry`, with the steps of its operation. */
  selected: { details: AuditEntryDetails; timeline: TimelineStep[] } | null;
  deepLink: DeepLinkState;
  /** Reopens exactly this page when it is a deep-link window that no URL cursor describes. */
  anchorCursor: string | null;
}

async function withTimeline(orgId: string, details: AuditEntryDetails | null, params: ExplorerParams) {
  if (!details) return null;
  const timeline = details.correlationId
    ? await getTimeline(orgId, details.correlationId, auditTableFor(params.scope))
    : [];
  return { details, timeline };
}

/**
 * Everything the explorer shows, read in parallel: the page, the capped count and the selected
 * entry. Only a deep link to an entry that is not on the listed page costs a second round, to
 * find the page around it (or why the filters exclude it). Errors propagate to error.tsx: an
 * empty table must mean "no entries", never "the database failed".
 */
export async function loadExplorer(orgId: string, params: ExplorerParams, search: SearchQuery): Promise<ExplorerData> {
  const table = auditTableFor(params.scope);
  const [listed, count, selected] = await Promise.all([
    listAuditEntries(orgId, params, search),
    countMatching(orgId, params, search, { exactUpTo: EXACT_COUNT_LIMIT }),
    params.entry
      ? getEntryDetails(orgId, params.entry, table).then((d) => withTimeline(orgId, d, params))
      : Promise.resolve(null),
  ]);
  const base = { count, selected, anchorCursor: null };
  if (!params.entry) return { ...base, page: listed, deepLink: null };
  if (!selected) return { ...base, page: listed, deepLink: { status: "not-found" } };
  if (listed.entries.some((e) => e.id === selected.details.id)) return { ...base, page: listed, deepLink: null };

  const located = await locateEntry(orgId, params.entry, params, search, table);
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
