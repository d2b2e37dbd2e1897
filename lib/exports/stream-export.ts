import "server-only";

import type { PGlite } from "@electric-sql/pglite";
import { sql, type SQL } from "drizzle-orm";
import { connect, type Socket } from "node:net";
import postgres from "postgres";
import type { DatabaseHandle } from "@/db/client";
import { dedicatedConnectionOptions } from "@/db/connection-options";
import type { ExportFormat } from "@/db/schema/enums";
import {
  csvSelectList,
  EXPORT_COLUMNS,
  exportHeaders,
  exportSessionSettings,
  NEUTRALISED,
  SQL_COLUMNS,
  xlsxKind,
  xlsxSelectList,
  type ExportContext,
} from "./columns";
import { csvRecord, UTF8_BOM } from "./csv-writer";
import { entryJsonColumns, entryJsonText } from "./entry-json";
import { OffThreadNdjsonWriter } from "./off-thread-ndjson";
import { OffThreadCsvPostProcessor } from "./off-thread-csv";
import { OffThreadSheetRows } from "./off-thread-xlsx";
import { neutraliseForCsv } from "./spreadsheet-safety";
import { compile, exportTable, inlineParameters, walksIndexOrder, type ExportSelection } from "./export-query";
import { EXPORT_APPLICATION_NAME } from "@/lib/audit-log/horizon";
import { keysetAfter, orderClause, sortKeyText, type KeysetEdge } from "@/lib/audit-log/order";
import { selectionWhere } from "@/lib/audit-log/where";
import { XlsxWriter } from "./xlsx-writer";

/*
 * The bytes of an export file, produced on demand: the consumer pulls a chunk, the database is
 * read as far as that chunk needs, so memory stays at about one batch whatever the row count.
 *
 * - CSV on the server database: COPY (SELECT ...) TO STDOUT, PostgreSQL writing the CSV of the
 *   columns (ISO times included); JavaScript finishes it as it passes (CRLF, formula
 *   neutralisation, the permalink: CopyCsvPostProcessor), on a thread of its own
 *   (OffThreadCsvPostProcessor), off the thread that renders pages. The socket is paused while the consumer
 *   is behind (postgres.js pauses it when the stream's buffer is full), which holds the server.
 * - xlsx on the server database: COPY too, of the xlsx select list (text as stored, times as
 *   epoch milliseconds); its CSV becomes compressed worksheet rows on a thread of its own
 *   (OffThreadSheetRows, CopySheetRows), so no row is parsed into values on the thread that
 *   renders pages: about twice the rate of reading the rows as values through a cursor and
 *   writing them here (docs/performance.md, "Design choices").
 * - NDJSON: each line written whole by PostgreSQL (entry-json.ts), through COPY on the server
 *   database, passed on untouched (ndjsonChunks).
 * - Any format on embedded PGlite: keyset batches in the explorer's order (one connection, so
 *   no long-running statement holds it between batches).
 * On the server database each export runs on a connection of its own, closed when it ends.
 *
 * A file that does not hold exactly the rows that were counted is an error, never a short file:
 * the generator throws, and the HTTP response is aborted instead of ended.
 */

export interface ExportJob {
  selection: ExportSelection;
  context: ExportContext;
  format: ExportFormat;
  /** The number of rows the user was told; the file must hold exactly these. */
  expectedRows: number;
}

export interface ExportProgress {
  rows: number;
  bytes: number;
}

export class ExportIncompleteError extends Error {
  constructor(
    readonly expected: number,
    readonly written: number,
  ) {
    super(`The export wrote ${written} rows where ${expected} were counted`);
    this.name = "ExportIncompleteError";
  }
}

export class ExportAbortedError extends Error {
  constructor() {
    super("The export was cancelled");
    this.name = "ExportAbortedError";
  }
}

export interface StreamOptions {
  /** Rows per batch (cursor fetch, keyset page, xlsx piece). */
  batchRows?: number;
  /** Aborting stops the database work and ends the generator. */
  signal?: AbortSignal;
  /** Called as rows and bytes go out, for the audit entry and measurements. */
  progress?: ExportProgress;
}

const DEFAULT_BATCH_ROWS = 2000;
// xlsx rows read as values (the embedded database) become XML and compressed pieces while the next
// batch is read: smaller batches keep fewer of them alive at once, at the same speed
// (docs/performance-history.md).
const XLSX_BATCH_ROWS = 500;
// COPY delivers one message per row; they are gathered into pieces of about this size, and the
// database may run this far ahead of the consumer before it is held.
const COPY_PIECE_BYTES = 128 * 1024;
const COPY_BUFFER_BYTES = 1024 * 1024;

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ExportAbortedError();
}

/* ------------------------------------------------------------------------------------------ */
/* Row sources                                                                                  */
/* ------------------------------------------------------------------------------------------ */

function selectStatement(
  job: Pick<ExportJob, "selection">,
  list: SQL[],
  extra: SQL[] = [],
  after: SQL | null = null,
  limit: number | null = null,
): SQL {
  const t = exportTable(job.selection);
  const { sort, dir } = job.selection.params;
  const where = selectionWhere(t, job.selection);
  const conditions = after ? sql`${where} and ${after}` : where;
  const columns = sql.join([...list, ...extra], sql`, `);
  const limitClause = limit === null ? sql`` : sql` limit ${limit}`;
  return sql`select ${columns} from ${t} where ${conditions} order by ${orderClause(t, sort, dir)}${limitClause}`;
}

/** The settings of the transaction an export runs in (exportSessionSettings). */
export function exportJobSettings(job: Pick<ExportJob, "selection" | "context" | "expectedRows">): [string, string][] {
  return exportSessionSettings(job.context, walksIndexOrder(job.selection, job.expectedRows));
}

// One statement: set_config(name, value, true) for each setting, so they end with the transaction.
function settingsStatement(settings: [string, string][]): { text: string; params: string[] } {
  const calls = settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`);
  return { text: `select ${calls.join(", ")}`, params: settings.flat() };
}

/**
 * A client of its own for one export: one connection, opened for the export and closed after it.
 *
 * Why not a connection reserved from the application's pool: an export holds its connection for
 * as long as the download runs (minutes for millions of rows on a slow link), and several at once
 * would starve the pages. And postgres.js 3.4 mishandles a reserved (or transaction) connection
 * whose socket dies: releasing it puts the dead connection back in the pool, and a rollback on it
 * throws from a timer, taking the process down.
 *
 * The socket is made here so that it can be destroyed: stopping a COPY early needs that. While
 * the download is held back, the server is blocked writing to this socket; it honours neither a
 * cancel request nor postgres.js's end() (a Terminate message it never gets to read) until the
 * whole result has been sent. A reset connection stops it at once, and it rolls back.
 */
function exportClient(handle: Extract<DatabaseHandle, { kind: "postgres" }>): {
  conn: postgres.Sql;
  destroy: () => void;
} {
  const o = handle.sql.options;
  const sockets = new Set<Socket>();
  const connectTimeoutMs = (Number(o.connect_timeout) || 30) * 1000;
  // `socket` is postgres.js's documented custom-socket option (README, "Custom socket"), missing
  // from its type declarations.
  const options: postgres.Options<Record<string, never>> & { socket: () => Promise<Socket> } = {
    ...dedicatedConnectionOptions(handle, EXPORT_APPLICATION_NAME),
    socket: () =>
      new Promise<Socket>((resolve, reject) => {
        const socket = o.path ? connect(o.path) : connect(o.port[0] ?? 5432, o.host[0] ?? "localhost");
        sockets.add(socket);
        socket.once("close", () => sockets.delete(socket));
        const timer = setTimeout(
          () => socket.destroy(new Error("timed out connecting to the database")),
          connectTimeoutMs,
        );
        socket.once("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
        socket.once("connect", () => {
          clearTimeout(timer);
          socket.removeAllListeners("error");
          resolve(socket);
        });
      }),
  };
  const conn = postgres(options);
  return {
    conn,
    destroy: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

/**
 * Runs `work` inside a transaction with the export's settings, on a client of its own, and closes
 * the client when `work` ends. Stopping early (the client went away, an error) resets the
 * connection: PostgreSQL stops the statement and rolls back as soon as it sees that. Aborting
 * `signal` does the same while `work` waits on the database, so nothing outlives the download.
 */
async function* inExportTransaction<T>(
  handle: Extract<DatabaseHandle, { kind: "postgres" }>,
  settings: [string, string][],
  signal: AbortSignal | undefined,
  work: (conn: postgres.Sql) => AsyncGenerator<T>,
): AsyncGenerator<T> {
  throwIfAborted(signal);
  const { conn, destroy } = exportClient(handle);
  let committed = false;
  const stopNow = () => {
    destroy();
    void conn.end({ timeout: 0 }).catch(() => {});
  };
  signal?.addEventListener("abort", stopNow);
  try {
    await conn.unsafe("begin");
    const { text, params } = settingsStatement(settings);
    await conn.unsafe(text, params);
    yield* work(conn);
    await conn.unsafe("commit");
    committed = true;
  } catch (error) {
    throwIfAborted(signal);
    throw error;
  } finally {
    signal?.removeEventListener("abort", stopNow);
    if (committed) await conn.end({ timeout: 1 }).catch(() => {});
    else stopNow();
  }
}

// One definition of "the connection is gone" for the whole console (db/connection-errors.ts).
export { isConnectionLost } from "@/db/connection-errors";

/**
 * COPY's output, in pieces. The readable is consumed by hand rather than with an async iterator,
 * whose early exit would destroy the stream under postgres.js (which then pauses the socket for
 * good); stopping early is left to inExportTransaction, which closes the connection.
 */
async function* copyOut(
  conn: postgres.Sql,
  statement: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  throwIfAborted(signal);
  const query = conn.unsafe(statement);
  const stream = await query.readable();
  const queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  stream.on("data", (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    // Let the database run ahead of the consumer by a few pieces, then hold it (postgres.js
    // pauses the socket once the stream's own buffer fills, and TCP holds the server).
    if (queued >= COPY_BUFFER_BYTES) stream.pause();
    if (queued >= COPY_PIECE_BYTES) poke();
  });
  stream.once("end", () => {
    ended = true;
    // postgres.js pauses its socket when a push finds the stream's buffer full, and resumes it
    // from the stream's _read(). When the last rows and CopyDone arrive in one burst before the
    // stream is read, the socket stays paused after the end (no more _read calls), and the
    // ReadyForQuery that frees the connection is never read: the next statement on it would
    // hang. Calling _read() once more resumes the socket.
    (stream as unknown as { _read(size: number): void })._read(0);
    poke();
  });
  stream.once("error", (error) => {
    failure = error;
    poke();
  });
  const onAbort = () => poke();
  signal?.addEventListener("abort", onAbort);
  try {
    for (;;) {
      if (failure) throw failure;
      throwIfAborted(signal);
      if (queued >= COPY_PIECE_BYTES || (ended && queued > 0)) {
        const piece = Buffer.concat(queue, queued);
        queue.length = 0;
        queued = 0;
        if (stream.isPaused()) stream.resume();
        yield piece;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        // Data may have arrived between the checks above and now.
        if (failure || ended || queued >= COPY_PIECE_BYTES || signal?.aborted) poke();
      });
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // Stopped early: the caller closes the connection, which errors the stream; that error has
    // nowhere to go any more.
    stream.removeAllListeners("data");
    stream.on("error", () => {});
  }
}

/** Rows as arrays, a batch at a time, through a cursor on one statement. */
async function* cursorRows(
  conn: postgres.Sql,
  statement: SQL,
  batchRows: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<unknown[][]> {
  throwIfAborted(signal);
  const { sql: text, params } = compile(statement);
  const query = conn.unsafe(text, params as postgres.ParameterOrJSON<never>[]).values();
  for await (const rows of query.cursor(batchRows)) {
    throwIfAborted(signal);
    yield rows as unknown as unknown[][];
  }
}

/** Rows as arrays in keyset pages of the explorer's order, for the embedded database. */
async function* keysetRows(
  client: PGlite,
  job: Pick<ExportJob, "selection" | "context" | "expectedRows">,
  list: SQL[],
  batchRows: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<unknown[][]> {
  const t = exportTable(job.selection);
  const { sort, dir } = job.selection.params;
  const hidden = [
    sortKeyText(t, sort),
    sql`to_char(${t.occurredAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    sql`${t.id}::text`,
  ];
  // Each page is its own short transaction (the embedded database has one connection to share).
  const settings = settingsStatement(exportJobSettings(job));
  let edge: KeysetEdge | null = null;
  for (;;) {
    throwIfAborted(signal);
    const after = edge ? keysetAfter(t, sort, dir, edge) : null;
    const { sql: text, params } = compile(selectStatement(job, list, hidden, after, batchRows));
    const rows = await client.transaction(async (tx) => {
      await tx.query(settings.text, settings.params);
      return (await tx.query<unknown[]>(text, params, { rowMode: "array" })).rows;
    });
    if (rows.length === 0) return;
    const last = rows[rows.length - 1]!;
    const n = list.length;
    edge = { k: last[n] as string | null, t: last[n + 1] as string, i: last[n + 2] as string };
    yield rows.map((r) => r.slice(0, n));
    if (rows.length < batchRows) return;
  }
}

/**
 * Keeps one batch in flight: the next batch is requested as soon as one arrives, so the database
 * reads it while this one is turned into XML.
 */
async function* readAhead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = source.next();
      // Awaited on the next turn; meanwhile a rejection must not count as unhandled.
      next.catch(() => {});
      yield result.value;
    }
  } finally {
    // Let the request in flight settle before closing the source, so its connection is released.
    await next.catch(() => {});
    await source.return(undefined);
  }
}

/**
 * Each piece through `transform` (work on another thread), the next piece read from the source
 * while the last one is worked on; the results in order. A failure surfaces when its turn comes.
 */
async function* oneAhead<I, O>(pieces: AsyncIterable<I>, transform: (piece: I) => Promise<O>): AsyncGenerator<O> {
  let inFlight: Promise<O> | null = null;
  for await (const piece of pieces) {
    const next = transform(piece);
    // Awaited on a later turn; until then its failure must not count as unhandled.
    next.catch(() => {});
    if (inFlight) yield await inFlight;
    inFlight = next;
  }
  if (inFlight) yield await inFlight;
}

/**
 * Rows as arrays in the explorer's order, in batches: the xlsx export on the embedded database.
 * On the server database only the benchmark reads rows this way (exceljs' writer, for comparison).
 */
export function rowSource(
  handle: DatabaseHandle,
  job: ExportJob,
  list: SQL[],
  batchRows: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<unknown[][]> {
  if (handle.kind === "pglite") return keysetRows(handle.client, job, list, batchRows, signal);
  const settings = exportJobSettings(job);
  return readAhead(
    inExportTransaction(handle, settings, signal, (conn) =>
      cursorRows(conn, selectStatement(job, list), batchRows, signal),
    ),
  );
}

/* ------------------------------------------------------------------------------------------ */
/* Formats                                                                                      */
/* ------------------------------------------------------------------------------------------ */

// COPY takes no parameters: the statement's values are inlined as literals.
function copyCsvOf(job: ExportJob, list: SQL[]): string {
  return `copy (${inlineParameters(compile(selectStatement(job, list)))}) to stdout with (format csv)`;
}

/** The COPY statement that writes the CSV body (no header): also what the benchmark times. */
export function copyCsvStatement(job: ExportJob): string {
  return copyCsvOf(job, csvSelectList(exportTable(job.selection)));
}

/**
 * The COPY statement whose CSV the xlsx sheet thread turns into rows: the xlsx select list (text
 * as stored, times as epoch milliseconds). Its floats are written exactly (extra_float_digits,
 * set with the export's settings), so the dates are the same as from rows read as values.
 */
export function copyXlsxStatement(job: ExportJob): string {
  return copyCsvOf(job, xlsxSelectList(exportTable(job.selection)));
}

async function* csvChunks(handle: DatabaseHandle, job: ExportJob, options: StreamOptions): AsyncGenerator<Uint8Array> {
  const progress = options.progress ?? { rows: 0, bytes: 0 };
  const head = Buffer.concat([UTF8_BOM, Buffer.from(csvRecord(exportHeaders(job.context)), "utf8")]);
  progress.bytes += head.length;
  yield head;
  if (handle.kind === "postgres") {
    const normaliser = new OffThreadCsvPostProcessor({
      fields: SQL_COLUMNS.length,
      neutralise: NEUTRALISED,
      permalinkPrefix: job.context.permalinkPrefix,
    });
    const settings = exportJobSettings(job);
    const pieces = inExportTransaction(handle, settings, options.signal, (conn) =>
      copyOut(conn, copyCsvStatement(job), options.signal),
    );
    try {
      for await (const { out, records } of oneAhead(pieces, (piece) => normaliser.transform(piece))) {
        progress.rows = records;
        progress.bytes += out.length;
        yield out;
      }
      if (!normaliser.complete) throw new ExportIncompleteError(job.expectedRows, normaliser.records);
    } finally {
      await normaliser.close();
    }
  } else {
    const t = exportTable(job.selection);
    const prefix = job.context.permalinkPrefix;
    for await (const rows of keysetRows(
      handle.client,
      job,
      csvSelectList(t),
      options.batchRows ?? DEFAULT_BATCH_ROWS,
      options.signal,
    )) {
      let text = "";
      for (const row of rows) {
        // The same finish as CopyCsvPostProcessor gives COPY's output, value by value.
        const values = (row as (string | null)[]).map((v, i) =>
          v !== null && NEUTRALISED[i] ? neutraliseForCsv(v) : v,
        );
        values.push(prefix + (row[0] as string));
        text += csvRecord(values);
      }
      const out = Buffer.from(text, "utf8");
      progress.rows += rows.length;
      progress.bytes += out.length;
      yield out;
    }
  }
  if (progress.rows !== job.expectedRows) throw new ExportIncompleteError(job.expectedRows, progress.rows);
}

async function* xlsxChunks(handle: DatabaseHandle, job: ExportJob, options: StreamOptions): AsyncGenerator<Uint8Array> {
  const progress = options.progress ?? { rows: 0, bytes: 0 };
  const headers = exportHeaders(job.context);
  const columns = EXPORT_COLUMNS.map((c, i) => ({ header: headers[i]!, width: c.width, kind: xlsxKind(c) }));
  const writer = new XlsxWriter(columns, {
    sheetName: "Audit log",
    title: "Audit log export",
    createdAt: job.selection.snapshotAt,
  });
  for (const part of await writer.start()) {
    progress.bytes += part.length;
    yield part;
  }
  const sheetRows =
    handle.kind === "postgres"
      ? xlsxRowsFromCopy(handle, job, writer, options)
      : xlsxRowsFromValues(handle, job, writer, options);
  for await (const part of sheetRows) {
    progress.rows = writer.rows;
    progress.bytes += part.length;
    yield part;
  }
  if (writer.rows !== job.expectedRows) throw new ExportIncompleteError(job.expectedRows, writer.rows);
  for (const part of await writer.finish()) {
    progress.bytes += part.length;
    yield part;
  }
}

/**
 * The worksheet's rows on the server database: COPY's CSV of the xlsx select list, turned into
 * compressed rows on the xlsx sheet thread while the next piece is read. Nothing is parsed into
 * values on this thread.
 */
async function* xlsxRowsFromCopy(
  handle: Extract<DatabaseHandle, { kind: "postgres" }>,
  job: ExportJob,
  writer: XlsxWriter,
  options: StreamOptions,
): AsyncGenerator<Buffer> {
  const sheet = new OffThreadSheetRows({
    kinds: SQL_COLUMNS.map(xlsxKind),
    permalinkPrefix: job.context.permalinkPrefix,
    firstRow: writer.nextRow,
    crc: writer.sheetCrc,
    level: writer.level,
  });
  const settings: [string, string][] = [...exportJobSettings(job), ["extra_float_digits", "1"]];
  const pieces = inExportTransaction(handle, settings, options.signal, (conn) =>
    copyOut(conn, copyXlsxStatement(job), options.signal),
  );
  try {
    let complete = true;
    for await (const reply of oneAhead(pieces, (piece) => sheet.transform(piece))) {
      complete = reply.complete;
      yield writer.appendRows(reply, reply.records);
    }
    if (!complete) throw new ExportIncompleteError(job.expectedRows, writer.rows);
  } finally {
    await sheet.close();
  }
}

/** The worksheet's rows on the embedded database: keyset batches as values, written here. */
async function* xlsxRowsFromValues(
  handle: DatabaseHandle,
  job: ExportJob,
  writer: XlsxWriter,
  options: StreamOptions,
): AsyncGenerator<Buffer> {
  const t = exportTable(job.selection);
  const rows = rowSource(handle, job, xlsxSelectList(t), options.batchRows ?? XLSX_BATCH_ROWS, options.signal);
  const prefix = job.context.permalinkPrefix;
  // Compression runs in the thread pool while the next batch is read and turned into XML.
  const compressed = oneAhead(rows, (batch) => {
    for (const row of batch) row.push(prefix + (row[0] as string));
    return writer.compress(writer.rowsXml(batch));
  });
  yield* compressed;
}

/* ------------------------------------------------------------------------------------------ */
/* NDJSON                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/*
 * NDJSON. On the server database, COPY sends the entry's columns as plain CSV and a thread of the
 * console writes each line (ndjson-writer.ts), byte for byte what PostgreSQL writes for the read
 * API's pages (entry-json.ts): PostgreSQL writing the JSON itself was one core's work and held the
 * stream to 41% of the CSV export's rate at 10M (docs/performance.md). On the embedded database
 * the lines come from PostgreSQL, batch by batch.
 */
/** The COPY statement that sends an NDJSON body's columns (entryJsonColumns) as CSV. */
export function copyNdjsonStatement(job: Pick<ExportJob, "selection">): string {
  const select = inlineParameters(compile(selectStatement(job, entryJsonColumns(exportTable(job.selection)))));
  return `copy (${select}) to stdout with (format csv)`;
}

/** An NDJSON job; `expectedRows` null when nobody counted (the read API streams a search as it is). */
export type NdjsonJob = Omit<ExportJob, "format" | "expectedRows"> & { expectedRows: number | null };

/** The whole search as NDJSON, one entry per line, in the explorer's order. */
export async function* ndjsonChunks(
  handle: DatabaseHandle,
  job: NdjsonJob,
  options: StreamOptions = {},
): AsyncGenerator<Uint8Array> {
  const progress = options.progress ?? { rows: 0, bytes: 0 };
  // Without a count, the planner's choice unless only the period restricts a time-ordered search.
  const walkJob = { ...job, expectedRows: job.expectedRows ?? 0 };
  if (handle.kind === "postgres") {
    const writer = new OffThreadNdjsonWriter({ permalinkPrefix: job.context.permalinkPrefix });
    const pieces = inExportTransaction(handle, exportJobSettings(walkJob), options.signal, (conn) =>
      copyOut(conn, copyNdjsonStatement(job), options.signal),
    );
    try {
      for await (const { out, records } of oneAhead(pieces, (piece) => writer.transform(piece))) {
        progress.rows = records;
        progress.bytes += out.length;
        if (out.length > 0) yield out;
      }
      // COPY ended inside a record: the stream is not whole, whether or not a count was taken.
      if (!writer.complete)
        throw job.expectedRows === null
          ? new Error(`The NDJSON stream ended inside a record after ${writer.records} entries`)
          : new ExportIncompleteError(job.expectedRows, writer.records);
    } finally {
      await writer.close();
    }
  } else {
    const list = [entryJsonText(exportTable(job.selection), job.context.permalinkPrefix)];
    for await (const rows of keysetRows(
      handle.client,
      walkJob,
      list,
      options.batchRows ?? DEFAULT_BATCH_ROWS,
      options.signal,
    )) {
      const out = Buffer.from(`${rows.map((row) => row[0] as string).join("\n")}\n`, "utf8");
      progress.rows += rows.length;
      progress.bytes += out.length;
      yield out;
    }
  }
  if (job.expectedRows !== null && progress.rows !== job.expectedRows)
    throw new ExportIncompleteError(job.expectedRows, progress.rows);
}

/** The file, as a sequence of byte chunks. Throws (mid-sequence) when the file cannot be complete. */
export function exportChunks(
  handle: DatabaseHandle,
  job: ExportJob,
  options: StreamOptions = {},
): AsyncGenerator<Uint8Array> {
  switch (job.format) {
    case "csv":
      return csvChunks(handle, job, options);
    case "ndjson":
      return ndjsonChunks(handle, job, options);
    case "xlsx":
      return xlsxChunks(handle, job, options);
  }
}
