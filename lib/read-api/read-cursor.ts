import "server-only";

import { createHash } from "node:crypto";
import { z } from "zod";
import { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH, type CursorPayload } from "@/lib/audit-log/cursor";
import type { KeysetEdge } from "@/lib/audit-log/order";
import type { SortDirection, SortKey } from "@/lib/audit-log/search-params";

/*
 * The read API's cursor: the explorer's keyset cursor (the edge row's sort key, time and id) plus
 * what makes paging stable while entries arrive: the snapshot instant of the first page. Every
 * page of one search reads the entries received up to that instant (committed by then:
 * committedHorizon), with rolling periods resolved at it, so a page never repeats or skips an
 * entry because another arrived or the window moved. The search it belongs to is kept as a hash,
 * so a cursor given with other filters is refused instead of silently mixing two listings. Not a
 * secret: every read still runs inside the key's organization.
 */

export interface ReadCursor {
  edge: KeysetEdge;
  sort: SortKey;
  dir: SortDirection;
  snapshotAt: Date;
  search: string;
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const envelope = z.strictObject({
  v: z.literal(1),
  // The explorer's cursor, as cursor.ts writes it.
  e: z.string().max(MAX_CURSOR_LENGTH),
  s: z.string().regex(ISO_MS),
  h: z.string().regex(/^[0-9a-f]{32}$/),
});

/** A short hash of the search's canonical params (the explorer's serializer, without size or cursor). */
export function searchHash(canonical: string): string {
  return createHash("sha256").update(canonical).digest("hex").slice(0, 32);
}

export function encodeReadCursor(cursor: ReadCursor): string {
  const payload: CursorPayload = { s: cursor.sort, o: cursor.dir, ...cursor.edge, d: "next" };
  const json = JSON.stringify({
    v: 1,
    e: encodeCursor(payload),
    s: cursor.snapshotAt.toISOString(),
    h: searchHash(cursor.search),
  });
  return Buffer.from(json, "utf8").toString("base64url");
}

export type DecodedReadCursor = Omit<ReadCursor, "search"> & { searchHash: string };

/** The cursor, or null for anything this module did not write. Never throws. */
export function decodeReadCursor(text: string): DecodedReadCursor | null {
  if (text.length === 0 || text.length > MAX_CURSOR_LENGTH * 2 || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  try {
    const parsed = envelope.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    if (!parsed.success) return null;
    const inner = decodeCursor(parsed.data.e);
    const snapshotAt = new Date(parsed.data.s);
    if (!inner || inner.d !== "next" || !Number.isFinite(snapshotAt.getTime())) return null;
    if (snapshotAt.toISOString() !== parsed.data.s) return null;
    return {
      edge: { k: inner.k, t: inner.t, i: inner.i },
      sort: inner.s as SortKey,
      dir: inner.o,
      snapshotAt,
      searchHash: parsed.data.h,
    };
  } catch {
    return null;
  }
}
