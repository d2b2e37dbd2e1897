import "server-only";

import { countMatching, type MatchCount } from "./counts";
import { keysetAfter } from "./order";
import type { AuditSelection } from "./selection";
import { asLiveShape, auditTableFor } from "./tables";
import type { NewestShown } from "./types";

/** Beyond this many the bar says "more than": it is a prompt to reload, not a figure to audit. */
export const NEW_ENTRIES_CAP = 99;

/**
 * How many entries of the search would now be listed above `newest` in the default order (newest
 * first): the explorer's capped count with one row-value comparison on (occurred_at, id) beside
 * its WHERE, so the read is an index range from the top of the organization's log down to the
 * shown row, stopped at the cap. With nothing shown (an empty result), every match counts.
 */
export function countNewerEntries(
  selection: AuditSelection,
  newest: NewestShown | null,
  cap: number = NEW_ENTRIES_CAP,
): Promise<MatchCount> {
  const t = asLiveShape(auditTableFor(selection.params.scope));
  const above = newest ? keysetAfter(t, "time", "asc", { k: null, t: newest.occurredAt, i: newest.id }) : undefined;
  return countMatching(selection, { cap, where: above });
}
