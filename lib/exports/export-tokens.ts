import "server-only";

import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, lt, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { exportTokens } from "@/db/schema";
import type { ExportFormat } from "@/db/schema/enums";
import { orgIdHex, uuidFromHex } from "@/lib/security/org-id-hex";

/*
 * The link between the export action and the download: a random token, handed to the browser
 * once, stored only as its SHA-256. It works once, for a few minutes, for the user and
 * organization it was made for; anyone else presenting it gets the same "not found" as for a
 * token that never existed.
 *
 * A token is `<43 random characters>_<the organization's id as 32 hex digits>`, so the download
 * finds its row by (org_id, token_hash): one organization's row (docs/scaling.md). Tokens made
 * before migration 0019 are the 43 characters alone and are found by their hash; they live
 * minutes, so that path only serves links handed out just before an upgrade.
 */

export const EXPORT_TOKEN_TTL_MS = 5 * 60 * 1000;
// Used and expired tokens are kept a day (a trace for support), then deleted as the organization
// makes new ones.
const KEEP_EXPIRED_MS = 24 * 60 * 60 * 1000;

/** What the token row keeps of the search, to rebuild exactly the same selection. */
export interface StoredExportFilters {
  /** The explorer's search params as the server understood them (serializeExplorerParams). */
  search: string;
  /** The period as instants, resolved at the snapshot (for people reading the row or the log). */
  range: { from: string | null; to: string | null };
  /**
   * Set on the token of an export's integrity digests (lib/integrity/export-digests.ts): the
   * download id of the export it belongs to, whose correlation id its audit entries share.
   */
  digestsOf?: string;
}

export interface NewExportToken {
  orgId: string;
  userId: string;
  format: ExportFormat;
  filters: StoredExportFilters;
  snapshotAt: Date;
  rowCount: number;
  timeZone: string;
}

export type ExportTokenRow = typeof exportTokens.$inferSelect;

export function hashExportToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A short id derived from the hash: names the download (cookie, correlation id), reveals nothing. */
export function exportDownloadId(tokenHash: string): string {
  return tokenHash.slice(0, 16);
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}_([0-9a-f]{32})$/;
const LEGACY_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function isExportTokenShape(token: string): boolean {
  return TOKEN_SHAPE.test(token) || LEGACY_TOKEN_SHAPE.test(token);
}

/** The organization a token names; null for a token made before 0019 or one of another shape. */
export function exportTokenOrg(token: string): string | null {
  const match = TOKEN_SHAPE.exec(token);
  return match ? uuidFromHex(match[1]!) : null;
}

export async function createExportToken(
  db: Executor,
  input: NewExportToken,
  now = new Date(),
): Promise<{ token: string; tokenHash: string; expiresAt: Date }> {
  const token = `${randomBytes(32).toString("base64url")}_${orgIdHex(input.orgId)}`;
  const tokenHash = hashExportToken(token);
  const expiresAt = new Date(now.getTime() + EXPORT_TOKEN_TTL_MS);
  await db
    .delete(exportTokens)
    .where(
      and(eq(exportTokens.orgId, input.orgId), lt(exportTokens.expiresAt, new Date(now.getTime() - KEEP_EXPIRED_MS))),
    );
  await db.insert(exportTokens).values({ tokenHash, ...input, filters: input.filters, expiresAt });
  return { token, tokenHash, expiresAt };
}

/**
 * Marks the token used and returns its row, in one statement, so two requests racing with the
 * same token cannot both win. Null for anything else: unknown, used, expired, or another user's.
 */
export async function consumeExportToken(db: Executor, token: string, userId: string): Promise<ExportTokenRow | null> {
  if (!isExportTokenShape(token)) return null;
  const orgId = exportTokenOrg(token);
  const [row] = await db
    .update(exportTokens)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        orgId ? eq(exportTokens.orgId, orgId) : undefined,
        eq(exportTokens.tokenHash, hashExportToken(token)),
        eq(exportTokens.userId, userId),
        isNull(exportTokens.usedAt),
        gt(exportTokens.expiresAt, sql`now()`),
      ),
    )
    .returning();
  return row ?? null;
}
