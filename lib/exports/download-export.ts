import "server-only";

import { parseWholeSearch } from "@/lib/audit-log/selection";
import { eq } from "drizzle-orm";
import { getDatabaseHandle, type DatabaseHandle } from "@/db/client";
import { readHandleCaughtUp } from "@/db/read-replica";
import type { ExportFormat } from "@/db/schema/enums";
import { organizations } from "@/db/schema";
import { appOrigin } from "@/lib/app-url";
import { getSessionUser, loadOrgAccess, type SessionUser } from "@/lib/auth/access";
import { NO_PERMISSION_TEXT } from "@/lib/auth/messages";
import { clientIp, userAgent } from "@/lib/auth/request-context";
import { env } from "@/lib/env";
import { digestsFileName, exportDigestChunks } from "@/lib/integrity/export-digests";
import { getSigningKey } from "@/lib/integrity/signing-key";
import { requestProtocol, servedOverHttps } from "@/lib/http/request-origin";
import { CSV_CONTENT_TYPE } from "./csv-writer";
import { NDJSON_CONTENT_TYPE } from "./entry-json";
import { contentDisposition, exportFileName } from "./export-plan";
import {
  consumeExportToken,
  exportDownloadId,
  hashExportToken,
  type ExportTokenRow,
  type StoredExportFilters,
} from "./export-tokens";
import { takeExportSlot } from "./export-slots";
import { recordExportEvent } from "./record-export-event";
import {
  ExportAbortedError,
  exportChunks,
  ExportIncompleteError,
  isConnectionLost,
  type ExportJob,
  type ExportProgress,
} from "./stream-export";
import { XLSX_CONTENT_TYPE } from "./xlsx-writer";

/*
 * GET /api/exports/[token]: streams the file that the export action prepared. The token is
 * consumed first (single use, bound to the signed-in user), then audit.export is checked again
 * (a revocation after the modal was opened stops the download), then the rows are read and sent
 * as the client takes them.
 *
 * Failure before the first row goes out: an error status with a sentence saying what to do (the
 * export dialog shows it). Failure after: the stream errors, so the HTTP response is cut off
 * without its final chunk and the browser reports a failed download instead of saving a short
 * file. Either way the failure is written to the log, sharing the export's correlation id.
 *
 * A token made for an export's integrity digests (filters.digestsOf) streams the digests of the
 * same selection and snapshot instead (lib/integrity/export-digests.ts), through the same checks,
 * and its entries join the export's timeline.
 */

export const DOWNLOAD_COOKIE_PREFIX = "audit-export-";

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: CSV_CONTENT_TYPE,
  ndjson: NDJSON_CONTENT_TYPE,
  xlsx: XLSX_CONTENT_TYPE,
};
const STALL_TIMEOUT_MS = 5 * 60 * 1000;

const NOT_FOUND_TEXT =
  "This download link does not work: it was used already, it expired, or it was made for someone else. Close this and export again.";

interface DownloadCookie {
  downloadId: string;
  /** Served over HTTPS: the cookie is then sent back only over HTTPS. */
  secure: boolean;
}

function textResponse(status: number, text: string, cookie?: DownloadCookie): Response {
  const headers = new Headers({
    "Content-Type": "text/plain; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
  });
  if (cookie) headers.append("Set-Cookie", downloadCookie(cookie, "failed"));
  return new Response(text, { status, headers });
}

// Read by the export dialog to learn that the download started (or failed) while the browser's
// own download manager takes the file. Not HttpOnly on purpose; it holds no secret.
function downloadCookie({ downloadId, secure }: DownloadCookie, state: "started" | "failed"): string {
  return `${DOWNLOAD_COOKIE_PREFIX}${downloadId}=${state}; Path=/; Max-Age=120; SameSite=Strict${secure ? "; Secure" : ""}`;
}

function failureOf(error: unknown): { code: string; message: string } {
  if (error instanceof ExportAbortedError)
    return {
      code: "download_cancelled",
      message: "The download was cancelled or the connection was lost before the file was complete.",
    };
  if (error instanceof ExportIncompleteError)
    return {
      code: "export_incomplete",
      message: `${error.message}; the download was stopped so that no short file is saved.`,
    };
  if (isConnectionLost(error))
    return {
      code: "database_error",
      message: "The connection to the database was lost while the file was being written.",
    };
  const pg = error as { code?: unknown; message?: unknown };
  if (typeof pg?.code === "string" && /^[0-9A-Z]{5}$/.test(pg.code))
    return { code: "database_error", message: `The database failed while the file was being written (${pg.code}).` };
  return { code: "export_failed", message: "The file could not be written." };
}

async function orgSlugOf(orgId: string, handle: DatabaseHandle): Promise<string | null> {
  const [org] = await handle.db
    .select({ slug: organizations.slug })
    .from(organizations)
    .where(eq(organizations.id, orgId))
    .limit(1);
  return org?.slug ?? null;
}

export interface DownloadOptions {
  /** The primary: the token, the organization and the permission. */
  handle?: DatabaseHandle;
  /**
   * Where the file's rows are read: by default the read replica when it has replayed what the
   * primary holds now (so everything of the export's snapshot), else the primary.
   */
  readHandle?: DatabaseHandle;
  /** The session's user; read from the request's session when not given. */
  user?: SessionUser | null;
  /** Rows per batch, for tests. */
  batchRows?: number;
}

export async function downloadExport(
  request: Request,
  token: string,
  options: DownloadOptions = {},
): Promise<Response> {
  const handle = options.handle ?? getDatabaseHandle();
  const user = options.user === undefined ? await getSessionUser() : options.user;
  if (!user) return textResponse(401, "Your session has ended. Sign in again, then export once more.");

  const slot = takeExportSlot();
  if (!slot) {
    const busy = textResponse(503, "Several exports are running on the server right now. Try again in a minute.");
    busy.headers.set("Retry-After", "30");
    return busy;
  }
  try {
    return await startDownload(request, token, user, handle, options, slot.free);
  } catch (error) {
    slot.free();
    // Lost before a byte was sent (consuming the token, reading the organization or the
    // permission): nothing was written that a new export cannot redo, so the browser is told to
    // try again, as when the loss hits the file's first read.
    if (isConnectionLost(error)) return lostBeforeStart();
    throw error;
  }
}

function lostBeforeStart(cookie?: Parameters<typeof textResponse>[2]): Response {
  const lost = textResponse(
    503,
    "The connection to the database was lost before the file started. Export again in a moment.",
    cookie,
  );
  lost.headers.set("Retry-After", "5");
  return lost;
}

interface ExportHead {
  chunks: AsyncGenerator<Uint8Array>;
  /** What was read up to the first row, not sent yet. */
  head: Uint8Array[];
  finished: boolean;
}

/*
 * Reads up to the first row before answering, so that a failure to start is an error page the
 * dialog can show, not a download that breaks at once. Nothing has been sent before the first
 * row, so an export whose database connection died by then (a restart, a failover) starts once
 * more on a new connection instead of failing.
 */
async function readHead(start: () => AsyncGenerator<Uint8Array>, progress: ExportProgress): Promise<ExportHead> {
  for (let attempt = 1; ; attempt++) {
    const chunks = start();
    const head: Uint8Array[] = [];
    try {
      while (progress.rows === 0) {
        const next = await chunks.next();
        if (next.done) return { chunks, head, finished: true };
        head.push(next.value);
      }
      return { chunks, head, finished: false };
    } catch (error) {
      if (attempt > 1 || progress.rows > 0 || !isConnectionLost(error)) throw error;
      progress.bytes = 0;
    }
  }
}

async function startDownload(
  request: Request,
  token: string,
  user: SessionUser,
  handle: DatabaseHandle,
  options: DownloadOptions,
  free: () => void,
): Promise<Response> {
  const { batchRows } = options;
  const row = await consumeExportToken(handle.db, token, user.id);
  if (!row) {
    free();
    return textResponse(404, NOT_FOUND_TEXT);
  }
  const downloadId = exportDownloadId(hashExportToken(token));
  const cookie = { downloadId, secure: servedOverHttps(requestProtocol(request.headers), env.APP_URL) };
  const slug = await orgSlugOf(row.orgId, handle);
  const access = slug ? await loadOrgAccess(user, slug) : null;
  if (!access || !access.permissions.has("audit.export")) {
    free();
    return textResponse(403, NO_PERMISSION_TEXT, cookie);
  }

  const filters = row.filters as StoredExportFilters;
  const { params, search } = parseWholeSearch(filters.search, row.snapshotAt);
  // The token of an export's integrity digests: the same selection and snapshot, another file.
  const digestsOf = typeof filters.digestsOf === "string" ? filters.digestsOf : null;
  const job: ExportJob = {
    selection: { orgId: row.orgId, params, search, snapshotAt: row.snapshotAt },
    context: {
      timeZone: row.timeZone,
      permalinkPrefix: `${appOrigin(request) ?? ""}/orgs/${encodeURIComponent(access.org.slug)}/audit-logs/`,
    },
    format: row.format,
    expectedRows: row.rowCount,
  };
  const exportedFile = exportFileName({
    orgSlug: access.org.slug,
    params,
    snapshotAt: row.snapshotAt,
    timeZone: row.timeZone,
    format: row.format,
  });
  const fileName = digestsOf ? digestsFileName(exportedFile) : exportedFile;
  const audit = auditTrail(row, user, request, digestsOf ?? downloadId, digestsOf ? "integrity digests" : row.format);
  const source = options.readHandle ?? (options.handle ? handle : await readHandleCaughtUp());
  const start = (signal: AbortSignal, progress: ExportProgress) =>
    digestsOf
      ? exportDigestChunks(
          source,
          {
            selection: job.selection,
            expectedRows: row.rowCount,
            organization: access.org.slug,
            fileName: exportedFile,
            format: row.format,
            search: filters.search,
          },
          getSigningKey(),
          { signal, progress, batchRows },
        )
      : exportChunks(source, job, { signal, progress, batchRows });

  const abort = new AbortController();
  request.signal?.addEventListener("abort", () => abort.abort(), { once: true });
  const progress: ExportProgress = { rows: 0, bytes: 0 };
  let started: ExportHead;
  try {
    started = await readHead(() => start(abort.signal, progress), progress);
  } catch (error) {
    free();
    void audit.failed(error, progress);
    if (isConnectionLost(error)) return lostBeforeStart(cookie);
    return textResponse(
      500,
      "The export could not be read from the database. Try again in a moment; if it keeps failing, narrow the search.",
      cookie,
    );
  }
  const { chunks, head, finished } = started;

  let settled = false;
  let lastPull = Date.now();
  let watchdog: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    settled = true;
    if (watchdog) clearInterval(watchdog);
    free();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // A client that stays connected but stops reading would hold a database connection for
        // ever; a download that has not asked for more for this long is given up.
        watchdog = setInterval(
          () => {
            if (settled || Date.now() - lastPull < STALL_TIMEOUT_MS) return;
            stop();
            abort.abort();
            controller.error(new ExportAbortedError());
            void chunks.return(undefined).catch(() => {});
            void audit.failed(new ExportAbortedError(), progress);
          },
          Math.min(STALL_TIMEOUT_MS, 15_000),
        );
        watchdog.unref?.();
      },
      async pull(controller) {
        lastPull = Date.now();
        try {
          const piece = head.shift();
          if (piece) return controller.enqueue(piece);
          const next = finished ? { done: true as const, value: undefined } : await chunks.next();
          if (next.done) {
            stop();
            controller.close();
            await audit.done(progress);
            return;
          }
          controller.enqueue(next.value);
        } catch (error) {
          if (settled) return;
          stop();
          // Errors the response: no final chunk, the browser marks the download failed.
          controller.error(error);
          void audit.failed(error, progress);
        }
      },
      async cancel() {
        if (settled) return;
        stop();
        abort.abort();
        await chunks.return(undefined).catch(() => {});
        void audit.failed(new ExportAbortedError(), progress);
      },
    },
    new CountQueuingStrategy({ highWaterMark: 1 }),
  );

  const headers = new Headers({
    "Content-Type": digestsOf ? NDJSON_CONTENT_TYPE : CONTENT_TYPES[row.format],
    "Content-Disposition": contentDisposition(fileName),
    // no-transform: the response must not be compressed on the way (xlsx is compressed already,
    // and gzip would cost more CPU than the export itself).
    "Cache-Control": "no-store, no-transform",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Export-Rows": String(row.rowCount),
  });
  headers.append("Set-Cookie", downloadCookie(cookie, "started"));
  return new Response(body, { status: 200, headers });
}

const FAILURE_RECORD_DELAYS = [0, 500, 2000, 5000] as const;

/** `downloadId` names the export whose timeline this download joins; `format` is what the entries say was written. */
function auditTrail(row: ExportTokenRow, user: SessionUser, request: Request, downloadId: string, format: string) {
  const started = performance.now();
  const base = {
    format,
    rows: row.rowCount,
    correlationId: `export_${downloadId}`,
    ip: clientIp(request.headers),
    userAgent: userAgent(request.headers),
  };
  // A failure is often the database's own, and then the entry cannot be written at once either:
  // a few tries over several seconds record it once the database is back (a restart, a failover).
  const record = async (event: Parameters<typeof recordExportEvent>[2], delays: readonly number[] = [0]) => {
    for (const [attempt, delay] of delays.entries()) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        await recordExportEvent(row.orgId, user, event);
        return;
      } catch (error) {
        // The download's outcome stands; a log write that fails is reported, not thrown into the stream.
        if (attempt === delays.length - 1) console.error("export audit entry failed", error);
      }
    }
  };
  // What the file came to, in the entry that ends the export's timeline.
  const outcome = (progress: ExportProgress) => ({
    format,
    count: row.rowCount,
    rowsWritten: progress.rows,
    bytes: progress.bytes,
    ms: Math.round(performance.now() - started),
  });
  return {
    done: (progress: ExportProgress) =>
      record({
        ...base,
        result: "done",
        params: outcome(progress),
      }),
    failed: (error: unknown, progress: ExportProgress) => {
      const failure = failureOf(error);
      if (!(error instanceof ExportAbortedError)) console.error("export failed", error);
      return record(
        {
          ...base,
          result: "failed",
          error: failure,
          params: outcome(progress),
        },
        FAILURE_RECORD_DELAYS,
      );
    },
  };
}
