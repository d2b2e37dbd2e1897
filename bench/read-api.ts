import "server-only";

import type { DatabaseHandle } from "@/db/client";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import type { Dataset } from "./dataset";
import type { ExportRun } from "./exports";
import { GOALS } from "./goals";
import { HttpClient } from "./http-client";
import { round } from "./measure";
import { int, ms, type TableRow } from "./report";
import type { RunningServer } from "./server";

/*
 * The read API reading the whole largest organization (issue 20), over HTTP as a program would,
 * beside the CSV export of the same search (the export's own path: action, link, download): the
 * whole search streamed as NDJSON (Accept: application/x-ndjson, one request), and page after page
 * of 1,000 entries by cursor, each page's JSON read for its `next`. Every way must deliver exactly
 * the rows the CSV holds. The server runs with the read API's rate limit lifted (server.ts): this
 * measures the read path, not the limiter (whose default, 600 requests a minute, caps paging at
 * 600,000 entries a minute per key by design).
 */

// Every period, every entry of the organization.
const WHOLE = "period=custom";

function lineCounter() {
  let n = 0;
  return {
    onChunk: (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
    },
    lines: () => n,
  };
}

export interface ReadApiRun {
  mode: "ndjson" | "pages";
  rows: number;
  ms: number;
  ttfbMs: number;
  bytes: number;
  requests: number;
  rowsPerSecond: number;
  serverCpuMs: number;
}

async function streamWhole(client: HttpClient, authorization: string, server: RunningServer): Promise<ReadApiRun> {
  const lines = lineCounter();
  const cpu = server.cpuMs();
  const res = await client.request(`/api/v1/audit-events?${WHOLE}`, {
    headers: { authorization, accept: "application/x-ndjson" },
    discard: true,
    onChunk: lines.onChunk,
    timeoutMs: 30 * 60_000,
  });
  if (res.status !== 200) throw new Error(`the NDJSON stream answered ${res.status}`);
  return {
    mode: "ndjson",
    rows: lines.lines(),
    ms: res.totalMs,
    ttfbMs: res.ttfbMs,
    bytes: res.bytes,
    requests: 1,
    rowsPerSecond: Math.round(lines.lines() / (res.totalMs / 1000)),
    serverCpuMs: server.cpuMs() - cpu,
  };
}

async function pageThrough(client: HttpClient, authorization: string, server: RunningServer): Promise<ReadApiRun> {
  const cpu = server.cpuMs();
  const started = performance.now();
  let rows = 0;
  let bytes = 0;
  let requests = 0;
  let ttfbMs = Number.NaN;
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `${WHOLE}&size=1000&cursor=${cursor}` : `${WHOLE}&size=1000`;
    const res = await client.request(`/api/v1/audit-events?${query}`, { headers: { authorization } });
    if (res.status !== 200)
      throw new Error(`page ${requests + 1} answered ${res.status}: ${res.body?.toString().slice(0, 200)}`);
    if (Number.isNaN(ttfbMs)) ttfbMs = res.ttfbMs;
    requests += 1;
    bytes += res.bytes;
    // A client reads every entry of the page: parsed, as a program would.
    const text = res.body!.toString("utf8");
    const page = JSON.parse(text) as { entries: unknown[]; next: string | null };
    rows += page.entries.length;
    cursor = page.next;
  } while (cursor);
  const total = performance.now() - started;
  return {
    mode: "pages",
    rows,
    ms: total,
    ttfbMs,
    bytes,
    requests,
    rowsPerSecond: Math.round(rows / (total / 1000)),
    serverCpuMs: server.cpuMs() - cpu,
  };
}

export async function runReadApi(opts: {
  server: RunningServer;
  handle: DatabaseHandle;
  dataset: Dataset;
  /** A CSV export of a search, the export's whole path (bench/exports.ts). */
  exportCsv: (search: string) => Promise<ExportRun>;
  log: (line: string) => void;
}): Promise<{ rows: TableRow[]; details: unknown; csv: ExportRun }> {
  const { server, dataset, log } = opts;
  const key = await createApiKey(opts.handle.db, {
    orgId: dataset.largest.id,
    name: `bench reader ${new Date().toISOString()}`,
    createdBy: dataset.admin.id,
    scopes: ["read"],
  });
  const authorization = `Bearer ${key.secret}`;
  const client = new HttpClient(server.url);
  try {
    const csv = await opts.exportCsv(WHOLE);
    log(
      `  CSV export of the whole organization: ${int(csv.rows)} rows in ${ms(csv.downloadMs)} (${int(csv.rowsPerSecond)} rows/s)`,
    );
    const ndjson = await streamWhole(client, authorization, server);
    log(`  read API, NDJSON: ${int(ndjson.rows)} rows in ${ms(ndjson.ms)} (${int(ndjson.rowsPerSecond)} rows/s)`);
    const pages = await pageThrough(client, authorization, server);
    log(
      `  read API, pages of 1,000: ${int(pages.rows)} rows in ${pages.requests} requests, ${ms(pages.ms)} (${int(pages.rowsPerSecond)} rows/s)`,
    );
    // Each read takes its own snapshot: between them the console writes a few entries of its own
    // into this organization (the export's pending and done, the reading's once a minute).
    for (const run of [ndjson, pages])
      if (run.rows < csv.rows || run.rows > csv.rows + 10)
        throw new Error(`the read API (${run.mode}) read ${run.rows} rows, the CSV holds ${csv.rows}`);
    // Issue 20's goal is reading the whole organization, which is what the stream is for; pages
    // are for reading what is new since a cursor, and their rate is shown beside it without one.
    const row = (run: ReadApiRun, label: string, judged: boolean): TableRow => {
      const share = run.rowsPerSecond / csv.rowsPerSecond;
      return {
        scenario: `read API, ${label}: whole largest organization, ${int(run.rows)} rows`,
        ttfbMedian: run.ttfbMs,
        fullMedian: run.ms,
        dbLimit: `CSV ${int(csv.rowsPerSecond)} rows/s`,
        goal: judged
          ? `≥ ${Math.round(GOALS.readApi.ofCsv * 100)}% of the CSV export's rate`
          : "(none: the stream reads it whole)",
        met: judged ? share >= GOALS.readApi.ofCsv : null,
        verdict: `${int(run.rowsPerSecond)} rows/s = ${Math.round(share * 100)}% of CSV`,
      };
    };
    return {
      csv,
      rows: [row(ndjson, "NDJSON stream", true), row(pages, "pages of 1,000", false)],
      details: {
        search: WHOLE,
        csv,
        ndjson: { ...ndjson, shareOfCsv: round(ndjson.rowsPerSecond / csv.rowsPerSecond, 2) },
        pages: { ...pages, shareOfCsv: round(pages.rowsPerSecond / csv.rowsPerSecond, 2) },
      },
    };
  } finally {
    client.close();
  }
}
