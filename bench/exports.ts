import "server-only";

import { parseWholeSearch } from "@/lib/audit-log/selection";
import type { DatabaseHandle } from "@/db/client";
import { getDb } from "@/db/client";
import { exportMaxRows } from "@/lib/exports/export-plan";
import { countExportRows, fixSnapshot } from "@/lib/exports/export-query";
import { createExportToken } from "@/lib/exports/export-tokens";
import { XLSX_MAX_DATA_ROWS } from "@/lib/exports/xlsx-writer";
import type { Dataset } from "./dataset";
import { measureCall } from "./db-limits";
import { measureExportInProcess, type ExportMeasurement } from "./export";
import { GOALS } from "./goals";
import type { HttpClient } from "./http-client";
import { repeat, round, summarize, type Summary } from "./measure";
import { int, ms, type TableRow } from "./report";
import type { ScenarioContext } from "./scenarios";
import { callAction, findAction, type FoundAction } from "./server-action";
import { sampleRss, type RunningServer } from "./server";

/*
 * Exports, end to end as the console serves them: the modal's count and the export's start are
 * the export server actions called over HTTP (as the modal calls them), the file is the GET of
 * the single-use link they hand out, downloaded by a signed-in client that counts its rows. The
 * server's peak resident memory is read from /proc (VmHWM, reset before each export, and sampled
 * every 50 ms). Beside them: COPY's rate over the same rows (bench/export.ts's copy-plain), the
 * practical limit of reading them out of PostgreSQL.
 */

const ACTIONS_FILE = "app/orgs/[org]/audit-logs/lib/export-actions.ts";

export interface ExportRun {
  format: "csv" | "xlsx";
  rows: number;
  bytes: number;
  wireBytes: number;
  /** startExport over HTTP (count, token, audit entry). */
  startMs: number;
  ttfbMs: number;
  downloadMs: number;
  rowsPerSecond: number;
  peakRssMiB: number;
  baselineRssMiB: number;
  /** What the export added to the server's resident memory: peak minus baseline (issue 22). */
  addedRssMiB: number;
  serverCpuMs: number;
}

export interface ExportPhase {
  rows: TableRow[];
  details: unknown;
  /** One export, run while the mixed load browses. */
  backgroundExport: () => Promise<unknown>;
  /** A CSV export of another search, the same whole path (the read API's comparison). */
  exportCsv: (search: string) => Promise<ExportRun>;
  /** The small export (100,000 rows at 10M) that the whole organization's is compared with. */
  smallCsv: ExportRun;
}

interface Started {
  url: string;
  count: number;
}

function unwrap<T>(value: unknown, what: string): T {
  const v = value as { data?: T; error?: string };
  if (v && typeof v === "object" && "data" in v && v.data !== undefined) return v.data;
  throw new Error(`${what} failed: ${JSON.stringify(value).slice(0, 300)}`);
}

function countLines(): { onChunk: (chunk: Buffer) => void; lines: () => number } {
  let n = 0;
  return {
    onChunk: (chunk) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
    },
    lines: () => n,
  };
}

type StartExport = (search: string, format: "csv" | "xlsx") => Promise<Started>;

/** startExport over HTTP, as the export dialog calls it. */
function startOverHttp(client: HttpClient, pagePath: string, startId: string, slug: string): StartExport {
  return async (search, format) =>
    unwrap<Started>(
      (await callAction(client, pagePath, startId, [slug, { search, format, timeZone: "UTC", snapshotAt: null }]))
        .value,
      "startExport",
    );
}

/**
 * Without the action in the build (no page uses the dialog yet): the token is made the way the
 * action makes it, with the same functions, straight in the database; the download is the same.
 */
function startInDatabase(dataset: Dataset): StartExport {
  return async (search, format) => {
    const db = getDb();
    const snapshotAt = await fixSnapshot(db);
    const { params, search: query, canonical } = parseWholeSearch(search, snapshotAt);
    const count = await countExportRows(
      db,
      { orgId: dataset.largest.id, params, search: query, snapshotAt },
      exportMaxRows(),
    );
    const { token } = await createExportToken(db, {
      orgId: dataset.largest.id,
      userId: dataset.admin.id,
      format,
      filters: { search: canonical, range: params.range },
      snapshotAt,
      rowCount: count,
      timeZone: "UTC",
    });
    return { url: `/api/exports/${token}`, count };
  };
}

async function runExport(
  server: RunningServer,
  client: HttpClient,
  startExport: StartExport,
  search: string,
  format: "csv" | "xlsx",
): Promise<ExportRun> {
  const started = performance.now();
  const start = await startExport(search, format);
  const startMs = performance.now() - started;
  server.resetPeak();
  const baselineRssMiB = server.rssMiB();
  const sampler = sampleRss(server);
  const cpuBefore = server.cpuMs();
  const lines = countLines();
  const res = await client.request(start.url, {
    discard: true,
    onChunk: format === "csv" ? lines.onChunk : undefined,
    timeoutMs: 30 * 60_000,
  });
  const sampled = sampler.stop();
  const serverCpuMs = server.cpuMs() - cpuBefore;
  if (res.status !== 200) throw new Error(`GET ${start.url} answered ${res.status}`);
  // The CSV has a header record; its fields hold no line breaks in this data set.
  if (format === "csv" && lines.lines() - 1 !== start.count)
    throw new Error(`the CSV holds ${lines.lines() - 1} records, the action announced ${start.count}`);
  return {
    format,
    rows: start.count,
    bytes: res.bytes,
    wireBytes: res.wireBytes,
    startMs,
    ttfbMs: res.ttfbMs,
    downloadMs: res.totalMs,
    rowsPerSecond: Math.round(start.count / (res.totalMs / 1000)),
    peakRssMiB: Math.round(Math.max(sampled, server.peakMiB())),
    baselineRssMiB: Math.round(baselineRssMiB),
    addedRssMiB: Math.round(Math.max(sampled, server.peakMiB()) - baselineRssMiB),
    serverCpuMs,
  };
}

export async function runExports(opts: {
  server: RunningServer;
  client: HttpClient;
  handle: DatabaseHandle & { kind: "postgres" };
  databaseUrl: string;
  distDir: string;
  dataset: Dataset;
  ctx: ScenarioContext;
  quick: boolean;
  log: (line: string) => void;
}): Promise<ExportPhase> {
  const { server, client, dataset, ctx, log } = opts;
  const slug = dataset.largest.slug;
  let countAction: FoundAction | null = null;
  let startExport: StartExport;
  try {
    countAction = findAction(opts.distDir, ACTIONS_FILE, "prepareExportCount", slug);
    const start = findAction(opts.distDir, ACTIONS_FILE, "startExport", slug);
    startExport = startOverHttp(client, start.pagePath, start.id, slug);
  } catch (err) {
    log(`  ${(err as Error).message}: the count is measured in the database only, and export links are made directly`);
    startExport = startInDatabase(dataset);
  }
  const search = new URLSearchParams({ period: "custom", from: ctx.millionFrom }).toString();

  // The modal's count, over HTTP, and the same count in this process (the database's part).
  const count = countAction;
  const countRuns = count
    ? await repeat(() => callAction(client, count.pagePath, count.id, [slug, search]), {
        warmup: 2,
        runs: opts.quick ? 5 : 20,
      })
    : [];
  const nan = summarize([]);
  const countTtfb = countRuns.length ? summarize(countRuns.map((r) => r.http.ttfbMs)) : nan;
  const countFull = countRuns.length ? summarize(countRuns.map((r) => r.http.totalMs)) : nan;
  // What the action does in the database: fix the snapshot, count up to the export limit.
  const countInDb = async () => {
    const snapshotAt = await fixSnapshot(getDb());
    const { params, search: query } = parseWholeSearch(search, snapshotAt);
    return countExportRows(getDb(), { orgId: dataset.largest.id, params, search: query, snapshotAt }, exportMaxRows());
  };
  const countDb: Summary = await measureCall(countInDb, { warmup: 1, runs: opts.quick ? 3 : 10 });
  const counted = countRuns.length
    ? unwrap<{ count: number }>(countRuns[0]!.value, "prepareExportCount").count
    : await countInDb();
  log(
    `  export modal count (${int(counted)} rows): ${ms(countFull.median)} / p95 ${ms(countFull.p95)}, DB ${ms(countDb.median)}`,
  );

  // COPY of the same rows, the practical limit (bench/export.ts).
  const copy: ExportMeasurement = await measureExportInProcess("copy-plain", {
    url: opts.databaseUrl,
    org: slug,
    search,
    timeZone: "UTC",
  });
  log(`  COPY: ${int(copy.rows)} rows in ${ms(copy.ms)} (${int(copy.rowsPerSecond)} rows/s)`);

  const smallSearch = new URLSearchParams({ period: "custom", from: ctx.smallExportFrom }).toString();
  const smallCsv = await runExport(server, client, startExport, smallSearch, "csv");
  log(
    `  CSV: ${int(smallCsv.rows)} rows in ${ms(smallCsv.downloadMs)} (${int(smallCsv.rowsPerSecond)} rows/s), added ${smallCsv.addedRssMiB} MiB to the server`,
  );
  const csv = await runExport(server, client, startExport, search, "csv");
  log(
    `  CSV: ${int(csv.rows)} rows in ${ms(csv.downloadMs)} (${int(csv.rowsPerSecond)} rows/s), peak RSS ${csv.peakRssMiB} MiB (added ${csv.addedRssMiB} MiB)`,
  );
  // About 1M rows at most (scenarios.ts), within an xlsx sheet's 1,048,575.
  if (counted > XLSX_MAX_DATA_ROWS) throw new Error(`${counted} rows do not fit an xlsx sheet`);
  const xlsx = await runExport(server, client, startExport, search, "xlsx");
  log(
    `  xlsx: ${int(xlsx.rows)} rows in ${ms(xlsx.downloadMs)} (${int(xlsx.rowsPerSecond)} rows/s), peak RSS ${xlsx.peakRssMiB} MiB (added ${xlsx.addedRssMiB} MiB)`,
  );

  const csvShare = csv.rowsPerSecond / copy.rowsPerSecond;
  const rows: TableRow[] = [
    {
      scenario: `export modal count, ${int(counted)} matching`,
      ttfbMedian: countTtfb.median,
      ttfbP95: countTtfb.p95,
      fullMedian: countFull.median,
      fullP95: countFull.p95,
      dbLimit: ms(countDb.median),
      goal: `≤ ${GOALS.count.ms / 1000} s`,
      met: countRuns.length ? countFull.median <= GOALS.count.ms : null,
      verdict: countRuns.length ? `median ${ms(countFull.median)}` : "not over HTTP: no export dialog in the build",
    },
    {
      scenario: `CSV export, ${int(csv.rows)} rows`,
      ttfbMedian: csv.ttfbMs,
      fullMedian: csv.downloadMs,
      dbLimit: `COPY ${int(copy.rowsPerSecond)} rows/s`,
      goal: `≥ ½ COPY's rate, adds ≤ ${GOALS.csv.addedMiB} MB to the server`,
      met: csvShare >= GOALS.csv.ofCopy && csv.addedRssMiB <= GOALS.csv.addedMiB,
      verdict: `${int(csv.rowsPerSecond)} rows/s = ${Math.round(csvShare * 100)}% of COPY, +${csv.addedRssMiB} MB (peak ${csv.peakRssMiB})`,
    },
    {
      scenario: `xlsx export, ${int(xlsx.rows)} rows`,
      ttfbMedian: xlsx.ttfbMs,
      fullMedian: xlsx.downloadMs,
      dbLimit: `COPY ${int(copy.rowsPerSecond)} rows/s`,
      goal: `≥ ${int(GOALS.xlsx.rowsPerSecond)} rows/s, adds ≤ ${GOALS.xlsx.addedMiB} MB to the server`,
      met: xlsx.rowsPerSecond >= GOALS.xlsx.rowsPerSecond && xlsx.addedRssMiB <= GOALS.xlsx.addedMiB,
      verdict: `${int(xlsx.rowsPerSecond)} rows/s, +${xlsx.addedRssMiB} MB (peak ${xlsx.peakRssMiB})`,
    },
  ];
  return {
    rows,
    details: {
      search,
      count: { rows: counted, ttfb: countTtfb, full: countFull, db: countDb },
      copy,
      smallCsv,
      csv: { ...csv, shareOfCopy: round(csvShare, 2) },
      xlsx,
    },
    exportCsv: (other) => runExport(server, client, startExport, other, "csv"),
    smallCsv,
    backgroundExport: async () => {
      const run = await runExport(server, client, startExport, search, "csv");
      return {
        rows: run.rows,
        seconds: round(run.downloadMs / 1000, 1),
        rowsPerSecond: run.rowsPerSecond,
        peakRssMiB: run.peakRssMiB,
      };
    },
  };
}

/**
 * Issue 22's memory goal: the whole largest organization's export (5M rows at 10M) adds no more
 * to the server's memory than the 100,000-row one, within 20%, and neither adds more than 150 MB.
 */
export function exportMemoryRow(small: ExportRun, large: ExportRun): TableRow {
  const ratio = small.addedRssMiB > 0 ? large.addedRssMiB / small.addedRssMiB : Number.POSITIVE_INFINITY;
  return {
    scenario: `export memory: CSV of ${int(large.rows)} rows beside ${int(small.rows)} rows`,
    fullMedian: large.downloadMs,
    dbLimit: `+${small.addedRssMiB} MB / +${large.addedRssMiB} MB`,
    goal: `larger adds ≤ ${GOALS.csv.largeOverSmall}× the smaller's, each ≤ ${GOALS.csv.addedMiB} MB`,
    met:
      large.addedRssMiB <= GOALS.csv.largeOverSmall * Math.max(small.addedRssMiB, 0) &&
      large.addedRssMiB <= GOALS.csv.addedMiB &&
      small.addedRssMiB <= GOALS.csv.addedMiB,
    verdict: `${Number.isFinite(ratio) ? `${round(ratio, 2)}×` : "small added nothing"}; peaks ${small.peakRssMiB} / ${large.peakRssMiB} MB from ${small.baselineRssMiB} / ${large.baselineRssMiB} MB`,
  };
}
