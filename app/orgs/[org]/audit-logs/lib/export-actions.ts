"use server";

import { z } from "zod";
import { safeText } from "@/lib/validation/safe-text";
import { exportFormat } from "@/db/schema/enums";
import { refuse } from "@/lib/actions/action-refusal";
import { orgAction } from "@/lib/actions/org-action";
import { parseWholeSearch } from "@/lib/audit-log/selection";
import {
  exportMaxRows,
  exportFileName,
  exportTimeZone,
  limitMessages,
  MAX_SEARCH_STRING_LENGTH,
  type ExportLimitCheck,
} from "@/lib/exports/export-plan";
import { countExportRows, databaseKnowsZone, fixSnapshot } from "@/lib/exports/export-query";
import { createExportToken, exportDownloadId } from "@/lib/exports/export-tokens";
import { digestsFileName } from "@/lib/integrity/export-digests";
import { exportEntry } from "@/lib/exports/record-export-event";
import { XLSX_MAX_DATA_ROWS } from "@/lib/exports/xlsx-writer";

/*
 * The export's server actions. A server action is a public endpoint: each one checks the origin,
 * the session and audit.export itself (orgAction) and reads the search from the URL's query
 * string with the explorer's own parser. Nothing the browser says about counts or filters is trusted; the only thing it may
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
  blocked: ExportLimitCheck;
}

export interface StartedExport {
  /** GET this to download; single use, a few minutes, this user only. */
  url: string;
  /** Names the download-started cookie the response sets (audit-export-<id>). */
  downloadId: string;
  count: number;
  fileName: string;
  /**
   * The export's integrity digests, when asked for: a second single-use link for the same
   * selection and snapshot (lib/integrity/export-digests.ts), downloaded beside the file.
   */
  digests: { url: string; downloadId: string; fileName: string } | null;
}

const SNAPSHOT_REUSE_MS = 60 * 60 * 1000;

const searchInput = safeText().max(MAX_SEARCH_STRING_LENGTH);

const startInput = z.object({
  search: searchInput,
  format: z.enum(exportFormat.enumValues),
  timeZone: safeText().max(64),
  snapshotAt: z.iso.datetime().nullish(),
  digests: z.boolean().optional(),
});

const EXPORT = {
  permission: "audit.export",
  failure: "The export could not be prepared. Try again in a moment.",
} as const;

/** Counts what an export of this search would write, for the modal's header. */
export const prepareExportCount = orgAction(
  {
    name: "prepareExportCount",
    schema: searchInput,
    invalid: "The search could not be read. Reload the page and try again.",
    ...EXPORT,
  },
  async (search, { org, db }): Promise<ExportCount> => {
    const snapshotAt = await fixSnapshot(db);
    const { params, search: query } = parseWholeSearch(search, snapshotAt);
    const maxRows = exportMaxRows();
    const count = await countExportRows(db, { orgId: org.id, params, search: query, snapshotAt }, maxRows);
    return {
      count,
      snapshotAt: snapshotAt.toISOString(),
      maxRows,
      xlsxMaxRows: XLSX_MAX_DATA_ROWS,
      blocked: limitMessages(count, maxRows),
    };
  },
);

/**
 * Fixes the snapshot, counts, checks the limits, records the export in the log and hands out a
 * single-use download link bound to this user and organization.
 */
export const startExport = orgAction(
  {
    name: "startExport",
    schema: startInput,
    invalid: "The export request was not understood. Reload the page and try again.",
    ...EXPORT,
  },
  async (input, { org, user, db, record }): Promise<StartedExport> => {
    const fresh = await fixSnapshot(db);
    const asked = input.snapshotAt ? new Date(input.snapshotAt) : null;
    const snapshot =
      asked && asked.getTime() <= fresh.getTime() && asked.getTime() >= fresh.getTime() - SNAPSHOT_REUSE_MS
        ? asked
        : fresh;
    let zone = exportTimeZone(input.timeZone);
    if (!(await databaseKnowsZone(db, zone))) zone = "UTC";

    const { params, search: query, canonical } = parseWholeSearch(input.search, snapshot);
    const maxRows = exportMaxRows();
    const count = await countExportRows(db, { orgId: org.id, params, search: query, snapshotAt: snapshot }, maxRows);
    const blocked = limitMessages(count, maxRows)[input.format];
    if (blocked) refuse(blocked);

    const fileName = exportFileName({
      orgSlug: org.slug,
      params,
      snapshotAt: snapshot,
      timeZone: zone,
      format: input.format,
    });
    const withDigests = input.digests === true;
    // Only the tokens and the entry need the transaction: the count above is a read at the snapshot.
    const { token, digests } = await db.transaction(async (tx) => {
      const tokenFor = (digestsOf?: string) =>
        createExportToken(tx, {
          orgId: org.id,
          userId: user.id,
          format: input.format,
          filters: { search: canonical, range: params.range, ...(digestsOf ? { digestsOf } : {}) },
          snapshotAt: snapshot,
          rowCount: count,
          timeZone: zone,
        });
      const created = await tokenFor();
      const digestsToken = withDigests ? await tokenFor(exportDownloadId(created.tokenHash)) : null;
      await record(
        exportEntry({
          result: "pending",
          format: input.format,
          rows: count,
          correlationId: `export_${exportDownloadId(created.tokenHash)}`,
          params: {
            format: input.format,
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
            ...(withDigests ? { digests: digestsFileName(fileName) } : {}),
          },
        }),
        tx,
      );
      return { token: created, digests: digestsToken };
    });
    return {
      url: `/api/exports/${token.token}`,
      downloadId: exportDownloadId(token.tokenHash),
      count,
      fileName,
      digests: digests
        ? {
            url: `/api/exports/${digests.token}`,
            downloadId: exportDownloadId(digests.tokenHash),
            fileName: digestsFileName(fileName),
          }
        : null,
    };
  },
);
