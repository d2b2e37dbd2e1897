"use server";

import { parseWholeSearch } from "@/lib/audit-log/selection";
import { headers } from "next/headers";
import { z } from "zod";
import { safeText } from "@/lib/validation/safe-text";
import { getDb } from "@/db/client";
import { exportFormat } from "@/db/schema/enums";
import type { ActionResult } from "@/lib/action-result";
import { authorizeAction } from "@/lib/auth/access";
import { clientIp, userAgent } from "@/lib/auth/request-context";
import {
  exportMaxRows,
  exportFileName,
  exportTimeZone,
  limitMessages,
  MAX_SEARCH_STRING_LENGTH,
} from "@/lib/exports/export-plan";
import { countExportRows, databaseKnowsZone, fixSnapshot } from "@/lib/exports/export-query";
import { createExportToken, exportDownloadId } from "@/lib/exports/export-tokens";
import { recordExportEvent } from "@/lib/exports/record-export-event";
import { XLSX_MAX_DATA_ROWS } from "@/lib/exports/xlsx-writer";
import { assertSameOrigin } from "@/lib/security/same-origin";

/*
 * The export's server actions. A server action is a public endpoint: each one checks the session
 * and audit.export itself and reads the search from the URL's query string with the explorer's
 * own parser. Nothing the browser says about counts or filters is trusted; the only thing it may
 * pass along is the snapshot instant the modal counted at, and that only moves the bound back
 * in time (clamped to the last hour), so the file holds the N the modal showed.
 */

export interface ExportCount {
  /** Exact up to the limit; maxRows + 1 means "more than the limit". */
  count: number;
  /** The instant counted at; startExport reuses it so the file matches the count. */
  snapshotAt: string;
  maxRows: number;
  xlsxMaxRows: number;
  /** Per format: why it cannot be exported and what to do; null when it can. */
  blocked: { xlsx: string | null; csv: string | null };
}

export interface StartedExport {
  /** GET this to download; single use, a few minutes, this user only. */
  url: string;
  /** Names the download-started cookie the response sets (audit-export-<id>). */
  downloadId: string;
  count: number;
  fileName: string;
}

const SNAPSHOT_REUSE_MS = 60 * 60 * 1000;

const countInput = z.object({
  orgSlug: safeText().trim().min(1).max(100),
  search: safeText().max(MAX_SEARCH_STRING_LENGTH),
});

const startInput = countInput.extend({
  format: z.enum(exportFormat.enumValues),
  timeZone: safeText().max(64),
  snapshotAt: z.iso.datetime().nullish(),
});

const SERVER_ERROR = "The export could not be prepared. Try again in a moment.";

/** Counts what an export of this search would write, for the modal's header. */
export async function prepareExportCount(orgSlug: string, search: string): Promise<ActionResult<ExportCount>> {
  await assertSameOrigin();
  const input = countInput.safeParse({ orgSlug, search });
  if (!input.success) return { error: "The search could not be read. Reload the page and try again." };
  const auth = await authorizeAction(input.data.orgSlug, "audit.export");
  if (auth.error !== undefined) return { error: auth.error };
  try {
    const db = getDb();
    const snapshotAt = await fixSnapshot(db);
    const { params, search: query } = parseWholeSearch(input.data.search, snapshotAt);
    const maxRows = exportMaxRows();
    const count = await countExportRows(db, { orgId: auth.access.org.id, params, search: query, snapshotAt }, maxRows);
    return {
      data: {
        count,
        snapshotAt: snapshotAt.toISOString(),
        maxRows,
        xlsxMaxRows: XLSX_MAX_DATA_ROWS,
        blocked: limitMessages(count, maxRows),
      },
    };
  } catch (error) {
    console.error("export count failed", error);
    return { error: SERVER_ERROR };
  }
}

/**
 * Fixes the snapshot, counts, checks the limits, records the export in the log and hands out a
 * single-use download link bound to this user and organization.
 */
export async function startExport(
  orgSlug: string,
  search: string,
  format: string,
  timeZone: string,
  snapshotAt?: string | null,
): Promise<ActionResult<StartedExport>> {
  await assertSameOrigin();
  const input = startInput.safeParse({ orgSlug, search, format, timeZone, snapshotAt });
  if (!input.success) return { error: "The export request was not understood. Reload the page and try again." };
  const auth = await authorizeAction(input.data.orgSlug, "audit.export");
  if (auth.error !== undefined) return { error: auth.error };
  const { access } = auth;
  try {
    const db = getDb();
    const fresh = await fixSnapshot(db);
    const asked = input.data.snapshotAt ? new Date(input.data.snapshotAt) : null;
    const snapshot =
      asked && asked.getTime() <= fresh.getTime() && asked.getTime() >= fresh.getTime() - SNAPSHOT_REUSE_MS
        ? asked
        : fresh;
    let zone = exportTimeZone(input.data.timeZone);
    if (!(await databaseKnowsZone(db, zone))) zone = "UTC";

    const { params, search: query, canonical } = parseWholeSearch(input.data.search, snapshot);
    const maxRows = exportMaxRows();
    const count = await countExportRows(
      db,
      { orgId: access.org.id, params, search: query, snapshotAt: snapshot },
      maxRows,
    );
    const blocked = limitMessages(count, maxRows)[input.data.format];
    if (blocked) return { error: blocked };

    const fileName = exportFileName({
      orgSlug: access.org.slug,
      params,
      snapshotAt: snapshot,
      timeZone: zone,
      format: input.data.format,
    });
    const h = await headers();
    const token = await db.transaction(async (tx) => {
      const created = await createExportToken(tx, {
        orgId: access.org.id,
        userId: access.user.id,
        format: input.data.format,
        filters: { search: canonical, range: params.range },
        snapshotAt: snapshot,
        rowCount: count,
        timeZone: zone,
      });
      await recordExportEvent(
        access.org.id,
        access.user,
        {
          result: "pending",
          format: input.data.format,
          rows: count,
          correlationId: `export_${exportDownloadId(created.tokenHash)}`,
          ip: clientIp(h),
          userAgent: userAgent(h),
          params: {
            format: input.data.format,
            count,
            filters: {
              search: canonical,
              period: params.period,
              range: params.range,
              type: params.type,
              user: params.user,
              result: params.result,
              q: params.q,
              sort: params.sort,
              dir: params.dir,
              scope: params.scope,
            },
            snapshotAt: snapshot.toISOString(),
            timeZone: zone,
            fileName,
          },
        },
        tx,
      );
      return created;
    });
    return {
      data: {
        url: `/api/exports/${token.token}`,
        downloadId: exportDownloadId(token.tokenHash),
        count,
        fileName,
      },
    };
  } catch (error) {
    console.error("export start failed", error);
    return { error: SERVER_ERROR };
  }
}
