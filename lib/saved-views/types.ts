/** organization: everyone's, edited with audit.manage; shared: a member's, shown to everyone; private: theirs. */
export const VIEW_VISIBILITIES = ["private", "shared", "organization"] as const;
export type ViewVisibility = (typeof VIEW_VISIBILITIES)[number];

/** A saved view as the explorer shows it. */
export interface SavedView {
  id: string;
  name: string;
  /** The explorer's query string, without `?`. */
  search: string;
  visibility: ViewVisibility;
  /** Who saved it, for a member's shared view; null for the reader's own and organization views. */
  ownerName: string | null;
  mine: boolean;
  /** Whether this reader may rename, change or delete it. */
  canEdit: boolean;
}

export const MAX_VIEW_NAME_LENGTH = 80;

export const isVisibility = (value: string): value is ViewVisibility => VIEW_VISIBILITIES.some((v) => v === value);

/** A stored view's visibility: no owner is the organization's; a member's is shared or not. */
export function visibilityOf(row: { ownerId: string | null; shared: boolean }): ViewVisibility {
  if (row.ownerId === null) return "organization";
  return row.shared ? "shared" : "private";
}
