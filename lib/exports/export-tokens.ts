import "server-only";

import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, lt, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { exportTokens } from "@/db/schema";
import type { ExportFormat } from "@/db/schema/enums";

/*
 * The link between the export action and the download: a random token, handed to the browser
 * once, stored only as its SHA-256. It works once, for a few minutes, for the user and
 * organization it was made for; anyone else presenting it gets the same "not found" as for a
 * token that never existed.
 */

export const EXPORT_TOKEN_TTL_MS = 5 * 60 * 1000;
// Used and expired tokens are kept a day (a trace for support), then deleted as new ones are made.
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

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function isExportTokenShape(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

export async function createExportToken(
  db: Executor,
  input: NewExportToken,
  now = new Date(),
): Promise<{ token: string; tokenHash: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const tokenHash = hashExportToken(token);
  const expiresAt = new Date(now.getTime() + EXPORT_TOKEN_TTL_MS);
  await db.delete(exportTokens).where(lt(exportTokens.expiresAt, new Date(now.getTime() - KEEP_EXPIRED_MS)));
  await db.insert(exportTokens).values({ tokenHash, ...input, filters: input.filters, expiresAt });
  return { token, tokenHash, expiresAt };
}

/**
 * Marks the token used and returns its row, in one statement, so two requests racing with the
 * same token cannot both win. Null for anything else: unknown, used, expired, or another user's.
 */
export async function consumeExportToken(db: Executor, token: string, userId: string): Promise<ExportTokenRow | null> {
  if (!isExportTokenShape(token)) return null;
  const [row] = await db
    .update(exportTokens)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(exportTokens.tokenHash, hashExportToken(token)),
        eq(exportTokens.userId, userId),
        isNull(exportTokens.usedAt),
        gt(exportTokens.expiresAt, sql`now()`),
      ),
    )
    .returning();
  return row ?? null;
}
