/*
 * The explorer's columns, in their order: which can be switched off, and which are shown until
 * a reader chooses. Time and action always show (a row without them says nothing). Pure: the
 * table, the column chooser and the preference action read the same list.
 */
export const EXPLORER_COLUMNS = [
  { id: "time", label: "Time", always: true, usual: true },
  { id: "user", label: "Actor", always: false, usual: true },
  { id: "type", label: "Type", always: false, usual: true },
  { id: "service", label: "Service", always: false, usual: false },
  { id: "action", label: "Action", always: true, usual: true },
  { id: "target", label: "Target", always: false, usual: true },
  { id: "level", label: "Level", always: false, usual: false },
  { id: "result", label: "Result", always: false, usual: true },
] as const;

export type ExplorerColumnId = (typeof EXPLORER_COLUMNS)[number]["id"];

export const EXPLORER_COLUMN_IDS = EXPLORER_COLUMNS.map((c) => c.id) as readonly ExplorerColumnId[];

export const USUAL_COLUMNS: readonly ExplorerColumnId[] = EXPLORER_COLUMNS.filter((c) => c.usual).map((c) => c.id);

const isColumnId = (id: string): id is ExplorerColumnId => EXPLORER_COLUMN_IDS.some((c) => c === id);

/**
 * The columns to show, in the table's order: the saved choice (unknown ids dropped, the columns
 * that always show added), or the usual ones when nothing is saved.
 */
export function shownColumns(saved: readonly string[] | null): ExplorerColumnId[] {
  if (saved === null) return [...USUAL_COLUMNS];
  const chosen = new Set(saved.filter(isColumnId));
  return EXPLORER_COLUMNS.filter((c) => c.always || chosen.has(c.id)).map((c) => c.id);
}
