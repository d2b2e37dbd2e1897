import "server-only";

import { and, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { readInOrder, sortKeyText, type KeysetEdge } from "@/lib/audit-log/order";
import { selectionWhere } from "@/lib/audit-log/where";
import { entryJsonText } from "@/lib/exports/entry-json";
import { exportTable, type ExportSelection } from "@/lib/exports/export-query";
import { encodeReadCursor } from "./read-cursor";

/*
 * One page of the read API: the query core's WHERE (selectionWhere, with the snapshot bound),
 * continued after the cursor's edge in the explorer's order (readInOrder): index ranges, never OFFSET. One row more than the page says whether there is
 * a next one. The entries come back as JSON text (entry-json.ts) and are joined as they are.
 */

export interface ReadPage {
  /** Each entry's JSON text, in order. */
  entries: string[];
  next: string | null;
}

export async function readPage(
  db: Executor,
  selection: ExportSelection,
  input: { size: number; after: KeysetEdge | null; permalinkPrefix: string; canonical: string },
): Promise<ReadPage> {
  const t = exportTable(selection);
  const { sort, dir } = selection.params;
  const where = selectionWhere(t, selection);
  const rows = await readInOrder(
    t,
    sort,
    dir,
    input.after,
    input.size + 1,
    (condition, order, limit) =>
      db
        .select({
          json: entryJsonText(t, input.permalinkPrefix),
          k: sortKeyText(t, sort),
          t: sql<string>`to_char(${t.occurredAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
          i: sql<string>`${t.id}::text`,
        })
        .from(t)
        .where(condition ? and(where, condition) : where)
        .orderBy(...order)
        .limit(limit),
    selection.params.type,
  );
  const page = rows.slice(0, input.size);
  const last = page[page.length - 1];
  const next =
    rows.length > input.size && last
      ? encodeReadCursor({
          edge: { k: last.k, t: last.t, i: last.i },
          sort,
          dir,
          snapshotAt: selection.snapshotAt,
          search: input.canonical,
        })
      : null;
  return { entries: page.map((r) => r.json), next };
}

/** `{"entries":[...],"next":...}` from the entries' JSON text, without parsing it again. */
export function pageBody(page: ReadPage): string {
  return `{"entries":[${page.entries.join(",")}],"next":${JSON.stringify(page.next)}}`;
}
