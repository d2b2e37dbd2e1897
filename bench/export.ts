/*
 * Export throughput and memory, on the server database:
 *   npx tsx --conditions=react-server bench/export.ts --url postgres://... [--org acme] [--search "period=custom&from=..."]
 * Each mode runs in its own Node process (so peak RSS is that mode's alone):
 *   copy-plain   COPY (SELECT the stored columns ... same WHERE and ORDER BY) TO STDOUT, discarded: the practical limit
 *   copy-export  COPY of the export's own SELECT (computed, neutralised columns), discarded
 *   csv          the CSV export exactly as GET /api/exports/[token] streams it (exportChunks)
 *   xlsx         the xlsx export, likewise
 * Reports rows/s, MB/s and peak RSS (the larger of sampled process.memoryUsage().rss and VmHWM).
 * The benchmark imports measureExports() from here.
 */
import { spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { eq, sql } from "drizzle-orm";
import { createDatabase, type DatabaseHandle } from "@/db/client";
import { organizations } from "@/db/schema";
import { orderClause } from "@/lib/audit-log/order";
import { selectionFromParams } from "@/lib/audit-log/selection";
import { selectionWhere } from "@/lib/audit-log/where";
import { compile, countExportRows, exportTable, fixSnapshot, inlineParameters } from "@/lib/exports/export-query";
import { EXPORT_COLUMNS, exportHeaders, xlsxSelectList } from "@/lib/exports/columns";
import { exportChunks, exportJobSettings, rowSource, type ExportJob } from "@/lib/exports/stream-export";

export const EXPORT_MEASURE_MODES = ["copy-plain", "copy-export", "csv", "xlsx"] as const;
/** Not run by default: exceljs' streaming writer on the same rows, for the record. */
export const EXTRA_MEASURE_MODES = ["xlsx-exceljs"] as const;
export type ExportMeasureMode = (typeof EXPORT_MEASURE_MODES)[number] | (typeof EXTRA_MEASURE_MODES)[number];

export interface ExportMeasurement {
  mode: ExportMeasureMode;
  rows: number;
  bytes: number;
  ms: number;
  rowsPerSecond: number;
  mbPerSecond: number;
  peakRssMb: number;
  baselineRssMb: number;
}

export interface ExportMeasureOptions {
  url: string;
  org?: string;
  /** Explorer search params (the URL's query string) selecting the rows to export. */
  search?: string;
  timeZone?: string;
  /** Write the file here instead of discarding it (csv and xlsx modes). */
  out?: string;
}

function rssPeakSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  timer.unref();
  return {
    stop(): number {
      clearInterval(timer);
      let hwm = 0;
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
        if (m) hwm = Number(m[1]) * 1024;
      } catch {
        // Not Linux: the sampled peak stands alone.
      }
      return Math.max(peak, process.memoryUsage().rss, hwm);
    },
  };
}

async function prepareJob(
  handle: DatabaseHandle,
  options: ExportMeasureOptions,
  format: "csv" | "xlsx",
): Promise<ExportJob> {
  const [org] = await handle.db
    .select({ id: organizations.id, slug: organizations.slug })
    .from(organizations)
    .where(eq(organizations.slug, options.org ?? "acme"))
    .limit(1);
  if (!org) throw new Error(`No organization ${options.org ?? "acme"}`);
  const snapshotAt = await fixSnapshot(handle.db);
  const raw = Object.fromEntries(new URLSearchParams(options.search ?? "period=custom&from=2000-01-01"));
  const selection = { ...selectionFromParams(org.id, raw, snapshotAt).selection, snapshotAt };
  const expectedRows = await countExportRows(handle.db, selection, 10_000_000);
  return {
    selection,
    format,
    expectedRows,
    context: {
      timeZone: options.timeZone ?? "Europe/Berlin",
      permalinkPrefix: `http://localhost:3000/orgs/${org.slug}/audit-logs/`,
    },
  };
}

// The statement under the export's own session settings (jit off, no parallel workers, the
// index walk rather than a sort for large exports), so the baseline gets the same advantages.
async function discardCopy(
  handle: DatabaseHandle,
  job: ExportJob,
  statement: string,
): Promise<{ rows: number; bytes: number }> {
  if (handle.kind !== "postgres") throw new Error("COPY needs the server database");
  const conn = await handle.sql.reserve();
  try {
    await conn.unsafe("begin");
    for (const [name, value] of exportJobSettings(job)) {
      await conn.unsafe("select set_config($1, $2, true)", [name, value]);
    }
    const stream = await conn.unsafe(statement).readable();
    let bytes = 0;
    let rows = 0;
    stream.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      rows += 1; // one CopyData message per row
    });
    await once(stream, "end");
    await conn.unsafe("commit");
    return { rows, bytes };
  } finally {
    conn.release();
  }
}

/*
 * exceljs' streaming WorkbookWriter (no shared strings, styles only for the dates), fed the same
 * rows in the same batches, each row committed, waiting for 'drain' on the output: how the first
 * version was written, kept to show why it was replaced.
 */
async function exceljsXlsx(handle: DatabaseHandle, job: ExportJob): Promise<{ rows: number; bytes: number }> {
  const { default: ExcelJS } = await import("exceljs");
  const { Writable } = await import("node:stream");
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback();
    },
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet("Audit log", { views: [{ state: "frozen", ySplit: 1 }] });
  const headers = exportHeaders(job.context);
  sheet.columns = EXPORT_COLUMNS.map((c, i) => ({ header: headers[i], width: c.width }));
  const t = exportTable(job.selection);
  let rows = 0;
  for await (const batch of rowSource(handle, job, xlsxSelectList(t), 500, undefined)) {
    for (const row of batch) {
      const values = row.map((v, i) =>
        EXPORT_COLUMNS[i]!.kind === "utc-time" || EXPORT_COLUMNS[i]!.kind === "local-time" ? new Date(Number(v)) : v,
      );
      values.push(job.context.permalinkPrefix + String(row[0]));
      sheet.addRow(values).commit();
      rows += 1;
    }
    if (sink.writableNeedDrain) await once(sink, "drain");
  }
  sheet.autoFilter = { from: "A1", to: { row: rows + 1, column: EXPORT_COLUMNS.length } };
  sheet.commit();
  await workbook.commit();
  return { rows, bytes };
}

/** One mode, in this process. */
export async function measureExportInProcess(
  mode: ExportMeasureMode,
  options: ExportMeasureOptions,
): Promise<ExportMeasurement> {
  const handle = createDatabase({ url: options.url, maxConnections: 2 });
  try {
    const job = await prepareJob(handle, options, mode === "xlsx" || mode === "xlsx-exceljs" ? "xlsx" : "csv");
    if (global.gc) global.gc();
    const baselineRss = process.memoryUsage().rss;
    const sampler = rssPeakSampler();
    const started = performance.now();
    let rows: number;
    let bytes: number;
    if (mode === "copy-plain" || mode === "copy-export") {
      const t = exportTable(job.selection);
      const inner =
        mode === "copy-plain"
          ? compile(
              sql`select ${t.id}, ${t.occurredAt}, ${t.actorName}, ${t.actorEmail}, ${t.category}, ${t.action}, ${t.description}, ${t.targetType}, ${t.targetId}, ${t.targetName}, ${t.result}, ${t.errorCode}, ${t.errorMessage}, ${t.level}, ${t.service}, ${t.ip}, ${t.userAgent}, ${t.requestId}, ${t.correlationId}, ${t.params}, ${t.before}, ${t.after} from ${t} where ${selectionWhere(t, job.selection)} order by ${orderClause(t, job.selection.params.sort, job.selection.params.dir)}`,
            )
          : null;
      const { copyCsvStatement } = await import("@/lib/exports/stream-export");
      const statement = inner ? `copy (${inlineParameters(inner)}) to stdout with (format csv)` : copyCsvStatement(job);
      ({ rows, bytes } = await discardCopy(handle, job, statement));
    } else if (mode === "xlsx-exceljs") {
      ({ rows, bytes } = await exceljsXlsx(handle, job));
    } else {
      const progress = { rows: 0, bytes: 0 };
      const file = options.out ? createWriteStream(options.out) : null;
      const batchRows = process.env.EXPORT_BENCH_BATCH_ROWS ? Number(process.env.EXPORT_BENCH_BATCH_ROWS) : undefined;
      for await (const chunk of exportChunks(handle, job, { progress, batchRows })) {
        if (file && !file.write(chunk)) await once(file, "drain");
      }
      if (file) {
        file.end();
        await once(file, "finish");
      }
      ({ rows, bytes } = progress);
    }
    const ms = performance.now() - started;
    const peak = sampler.stop();
    if (rows !== job.expectedRows) throw new Error(`${mode}: ${rows} rows, expected ${job.expectedRows}`);
    return {
      mode,
      rows,
      bytes,
      ms: Math.round(ms),
      rowsPerSecond: Math.round((rows / ms) * 1000),
      mbPerSecond: Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10,
      peakRssMb: Math.round((peak / 1048576) * 10) / 10,
      baselineRssMb: Math.round((baselineRss / 1048576) * 10) / 10,
    };
  } finally {
    await handle.close();
  }
}

const self = fileURLToPath(import.meta.url);

/** Every mode, each in a fresh Node process, one after the other on the same database. */
export async function measureExports(
  options: ExportMeasureOptions,
  modes: readonly ExportMeasureMode[] = EXPORT_MEASURE_MODES,
): Promise<ExportMeasurement[]> {
  const results: ExportMeasurement[] = [];
  for (const mode of modes) {
    const args = ["tsx", "--conditions=react-server", self, "--child", mode, "--url", options.url];
    if (options.org) args.push("--org", options.org);
    if (options.search) args.push("--search", options.search);
    if (options.timeZone) args.push("--tz", options.timeZone);
    const child = spawn("npx", args, {
      cwd: path.resolve(path.dirname(self), ".."),
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const [code] = (await once(child, "exit")) as [number | null];
    if (code !== 0) throw new Error(`export measurement ${mode} failed (exit ${code})`);
    const line = out.trim().split("\n").pop() ?? "";
    results.push(JSON.parse(line) as ExportMeasurement);
  }
  return results;
}

export function formatMeasurements(results: readonly ExportMeasurement[]): string {
  const copy = results.find((r) => r.mode === "copy-plain");
  const rows = results.map((r) => {
    const share =
      copy && r.mode !== "copy-plain" ? ` (${Math.round((r.rowsPerSecond / copy.rowsPerSecond) * 100)}% of COPY)` : "";
    return `${r.mode.padEnd(12)} ${r.rows.toLocaleString("en-US").padStart(10)} rows  ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${r.rowsPerSecond.toLocaleString("en-US").padStart(9)} rows/s${share}  ${r.mbPerSecond} MB/s  ${(r.bytes / 1e6).toFixed(1)} MB  peak RSS ${r.peakRssMb} MB`;
  });
  return rows.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      org: { type: "string" },
      search: { type: "string" },
      tz: { type: "string" },
      out: { type: "string" },
      child: { type: "string" },
      modes: { type: "string" },
    },
    strict: true,
  });
  const url = values.url ?? process.env.DATABASE_URL;
  if (!url) throw new Error("--url or DATABASE_URL is required");
  const options: ExportMeasureOptions = {
    url,
    org: values.org,
    search: values.search,
    timeZone: values.tz,
    out: values.out,
  };
  if (values.child) {
    const result = await measureExportInProcess(values.child as ExportMeasureMode, options);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const modes = values.modes ? (values.modes.split(",") as ExportMeasureMode[]) : EXPORT_MEASURE_MODES;
  const results = await measureExports(options, modes);
  console.log(formatMeasurements(results));
}

if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
