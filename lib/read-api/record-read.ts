import "server-only";

import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { apiKeys } from "@/db/schema";
import type { ApiKeyPrincipal } from "@/lib/api-keys/authenticate-api-key";
import type { RequestContext } from "@/lib/audit/console-entry";
import { recordConsoleEntry } from "@/lib/audit/record-audit-event";

/*
 * Reading the log through the API is itself written to the log, at most once per key per minute:
 * a program paging through a million entries makes a thousand requests, and one entry a minute
 * says as much as a thousand. The key's read_logged_at moves and the entry is written in one
 * transaction, so two requests at the same moment write one entry between them, and an entry
 * exists exactly when the stamp moved.
 */

export interface ReadNote {
  /** json: pages; ndjson: a whole search streamed. */
  format: "json" | "ndjson";
  /** The search as the explorer writes it (parseWholeSearch's canonical params). */
  search: string;
}

/** Writes the read entry unless this key's reading was written less than a minute ago; true when written. */
export async function recordRead(
  db: Database,
  principal: ApiKeyPrincipal,
  request: RequestContext,
  note: ReadNote,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(apiKeys)
      .set({ readLoggedAt: sql`now()` })
      .where(
        and(
          eq(apiKeys.orgId, principal.orgId),
          eq(apiKeys.id, principal.keyId),
          or(isNull(apiKeys.readLoggedAt), lt(apiKeys.readLoggedAt, sql`now() - interval '1 minute'`)),
        ),
      )
      .returning({ id: apiKeys.id });
    if (!claimed) return false;
    await recordConsoleEntry(tx, principal.orgId, null, request, {
      category: "audit",
      action: "read",
      description: `read the audit log through the API (v1/${note.format}) with key "${principal.keyName}"`,
      service: "Read API",
      level: "information",
      target: { type: "api_key", id: principal.keyId, name: principal.keyName },
      params: { format: note.format, search: note.search, loggedAtMostEvery: "1 minute" },
    });
    return true;
  });
}
