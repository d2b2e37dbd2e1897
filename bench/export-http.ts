/*
 * The export through the real route, on a built console (`npm start`), with the server's own
 * memory measured:
 *   NEXT_DIST_DIR=.next-export npx next build   (once)
 *   npx tsx --conditions=react-server bench/export-http.ts --url postgres://.../db --dist .next-export [--org slug --email member] [--search "..."]
 *
 * For each format a fresh server is started (so its peak RSS, VmHWM, is that export's alone), a
 * download link is made exactly as the export action makes it (same parser, snapshot, count and
 * token code), and the file is fetched with a session cookie and discarded. COPY's own rate is
 * measured in the same run (bench/export.ts, copy-plain) for comparison. Two checks follow on the
 * same server: the database connection killed mid-download must fail the download (no clean end),
 * and a client that goes away must leave no export connection behind.
 */
import { parseWholeSearch } from "@/lib/audit-log/selection";
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync as readdir, readFileSync, readlinkSync as readlink } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import postgres from "postgres";
import { createDatabase } from "@/db/client";
import { organizations, users } from "@/db/schema";
import {} from "@/lib/exports/export-plan";
import { countExportRows, fixSnapshot } from "@/lib/exports/export-query";
import { createExportToken } from "@/lib/exports/export-tokens";
import { formatMeasurements, measureExports, type ExportMeasurement } from "./export";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface HttpMeasureOptions {
  url: string;
  dist: string;
  port?: number;
  org?: string;
  email?: string;
  search?: string;
  timeZone?: string;
}

export interface HttpMeasurement {
  format: "csv" | "xlsx";
  rows: number;
  bytes: number;
  ms: number;
  rowsPerSecond: number;
  /** The server process: before the download, and its peak (VmHWM) over its whole life. */
  serverRssBeforeMb: number;
  serverPeakRssMb: number;
  firstByteMs: number;
}

const SECRET = "export-bench-secret-0123456789abcdef";

function mb(bytes: number): number {
  return Math.round((bytes / 1048576) * 10) / 10;
}

function procStatus(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

// The process listening on the port: a child of the npm process that started it.
function listenerPid(port: number): number | null {
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 10 || parts[3] !== "0A") continue;
    if (parseInt(parts[1]!.split(":")[1]!, 16) !== port) continue;
    const inode = parts[9]!;
    for (const pid of readdir("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        for (const fd of readdir(`/proc/${pid}/fd`)) {
          try {
            if (readlink(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return Number(pid);
          } catch {
            // fd closed meanwhile
          }
        }
      } catch {
        // not ours to read
      }
    }
  }
  return null;
}

async function startServer(options: HttpMeasureOptions, port: number): Promise<{ child: ChildProcess; pid: number }> {
  const child = spawn("npm", ["start"], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: options.url,
      AUTH_SECRET: SECRET,
      NEXT_DIST_DIR: options.dist,
      APP_URL: `http://127.0.0.1:${port}`,
      PORT: String(port),
      HOST: "127.0.0.1",
    },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/login`);
      if (r.status < 500) break;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error("the server did not start");
    await new Promise((r) => setTimeout(r, 250));
  }
  const pid = listenerPid(port);
  if (!pid) throw new Error("no process listens on the port");
  return { child, pid };
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      resolve();
    }
  });
}

async function prepareDownload(options: HttpMeasureOptions, format: "csv" | "xlsx") {
  const handle = createDatabase({ url: options.url, maxConnections: 2 });
  try {
    const [org] = await handle.db
      .select()
      .from(organizations)
      .where(eq(organizations.slug, options.org ?? "acme"));
    const [user] = await handle.db
      .select()
      .from(users)
      .where(eq(users.email, options.email ?? "manager@acme.test"));
    if (!org || !user) throw new Error("organization or user missing");
    const snapshotAt = await fixSnapshot(handle.db);
    const { params, search, canonical } = parseWholeSearch(
      options.search ?? "period=custom&from=2000-01-01",
      snapshotAt,
    );
    const count = await countExportRows(handle.db, { orgId: org.id, params, search, snapshotAt }, 10_000_000);
    const { token } = await createExportToken(handle.db, {
      orgId: org.id,
      userId: user.id,
      format,
      filters: { search: canonical, range: params.range },
      snapshotAt,
      rowCount: count,
      timeZone: options.timeZone ?? "Europe/Berlin",
    });
    const cookie = await encode({
      token: { sub: user.id, name: user.name, email: user.email },
      secret: SECRET,
      salt: "authjs.session-token",
    });
    return { token, count, cookie: `authjs.session-token=${cookie}` };
  } finally {
    await handle.close();
  }
}

async function fetchExport(port: number, token: string, cookie: string, signal?: AbortSignal) {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/api/exports/${token}`, { headers: { cookie }, signal });
  const reader = response.body!.getReader();
  let bytes = 0;
  let firstByteMs = 0;
  let failure: unknown = null;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (bytes === 0) firstByteMs = performance.now() - started;
      bytes += value.length;
    }
  } catch (error) {
    failure = error;
  }
  return {
    status: response.status,
    bytes,
    ms: performance.now() - started,
    firstByteMs,
    failure,
    headers: response.headers,
  };
}

export async function measureExportHttp(options: HttpMeasureOptions, format: "csv" | "xlsx"): Promise<HttpMeasurement> {
  const port = options.port ?? 3204;
  const { child, pid } = await startServer(options, port);
  try {
    const { token, count, cookie } = await prepareDownload(options, format);
    // Warm the route (first compile of its modules) with a request that is refused.
    await fetch(`http://127.0.0.1:${port}/api/exports/${"x".repeat(43)}`, { headers: { cookie } });
    const before = procStatus(pid, "VmRSS");
    const result = await fetchExport(port, token, cookie);
    if (result.status !== 200 || result.failure)
      throw new Error(`download failed: ${result.status} ${String(result.failure)}`);
    return {
      format,
      rows: count,
      bytes: result.bytes,
      ms: Math.round(result.ms),
      rowsPerSecond: Math.round((count / result.ms) * 1000),
      serverRssBeforeMb: mb(before),
      serverPeakRssMb: mb(procStatus(pid, "VmHWM")),
      firstByteMs: Math.round(result.firstByteMs),
    };
  } finally {
    await stopServer(child);
  }
}

/** A download whose database connection is killed after the first megabyte must not end cleanly. */
export async function checkFailureAndAbort(
  options: HttpMeasureOptions,
): Promise<{ killedMidStream: string; abandoned: string }> {
  const port = options.port ?? 3204;
  const { child } = await startServer(options, port);
  const admin = postgres(options.url, { max: 1, onnotice: () => {} });
  try {
    const exportBackends = () =>
      admin`select pid from pg_stat_activity where application_name = 'audit-console-export'`;
    // 1. Kill the export's connection mid-stream.
    const killed = await prepareDownload(options, "csv");
    const response = await fetch(`http://127.0.0.1:${port}/api/exports/${killed.token}`, {
      headers: { cookie: killed.cookie },
    });
    const reader = response.body!.getReader();
    let bytes = 0;
    let failure: unknown = null;
    let terminated = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        if (!terminated && bytes > 1_000_000) {
          terminated = true;
          for (const { pid } of await exportBackends()) await admin`select pg_terminate_backend(${pid})`;
        }
      }
    } catch (error) {
      failure = error;
    }
    const killedMidStream = !terminated
      ? `not checked: the whole file was ${bytes.toLocaleString("en-US")} bytes, under the megabyte after which the connection is killed (use a larger data set)`
      : failure
        ? `download failed as it should after ${bytes.toLocaleString("en-US")} bytes: ${String((failure as { cause?: unknown }).cause ?? failure)}`
        : `DOWNLOAD ENDED CLEANLY after ${bytes.toLocaleString("en-US")} bytes (a truncated file that looks complete)`;
    // 2. Walk away mid-stream, from a download held back (the server blocked writing to the
    // export's connection): that connection must go at once.
    const abandoned = await prepareDownload(options, "csv");
    const controller = new AbortController();
    const walk = await fetch(`http://127.0.0.1:${port}/api/exports/${abandoned.token}`, {
      headers: { cookie: abandoned.cookie },
      signal: controller.signal,
    });
    const walkReader = walk.body!.getReader();
    await walkReader.read();
    await new Promise((r) => setTimeout(r, 1000));
    const during = (
      await admin`select state, wait_event from pg_stat_activity where application_name = 'audit-console-export'`
    ).map((r) => `${r.state}/${r.wait_event}`);
    controller.abort();
    const left = performance.now();
    let after = during.length;
    while (after > 0 && performance.now() - left < 10_000) {
      await new Promise((r) => setTimeout(r, 20));
      after = (await exportBackends()).length;
    }
    const gone =
      after === 0
        ? `gone ${Math.round(performance.now() - left)} ms after the client went away`
        : `${after} STILL THERE 10 s after the client went away`;
    return {
      killedMidStream,
      abandoned: `export connection while the download was held back: ${during.join(", ") || "none"}; ${gone}`,
    };
  } finally {
    await admin.end();
    await stopServer(child);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      dist: { type: "string" },
      port: { type: "string" },
      org: { type: "string" },
      email: { type: "string" },
      search: { type: "string" },
      tz: { type: "string" },
    },
    strict: true,
  });
  const url = values.url ?? process.env.DATABASE_URL;
  if (!url) throw new Error("--url or DATABASE_URL is required");
  const options: HttpMeasureOptions = {
    url,
    dist: values.dist ?? ".next-export",
    port: values.port ? Number(values.port) : undefined,
    org: values.org,
    email: values.email,
    search: values.search,
    timeZone: values.tz,
  };
  const copyBefore: ExportMeasurement[] = await measureExports({ url, org: options.org, search: options.search }, [
    "copy-plain",
  ]);
  const results: HttpMeasurement[] = [];
  for (const format of ["csv", "xlsx"] as const) results.push(await measureExportHttp(options, format));
  const copyAfter = await measureExports({ url, org: options.org, search: options.search }, ["copy-plain"]);
  console.log(formatMeasurements([...copyBefore, ...copyAfter]));
  const copyRate = Math.max(copyBefore[0]!.rowsPerSecond, copyAfter[0]!.rowsPerSecond);
  for (const r of results) {
    console.log(
      `${`http ${r.format}`.padEnd(12)} ${r.rows.toLocaleString("en-US").padStart(10)} rows  ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${r.rowsPerSecond.toLocaleString("en-US").padStart(9)} rows/s (${Math.round((r.rowsPerSecond / copyRate) * 100)}% of the faster COPY)  ${(r.bytes / 1e6).toFixed(1)} MB  first byte ${r.firstByteMs} ms  server RSS ${r.serverRssBeforeMb} MB before, peak ${r.serverPeakRssMb} MB`,
    );
  }
  const checks = await checkFailureAndAbort(options);
  console.log(`database killed mid-download: ${checks.killedMidStream}`);
  console.log(`client gone: ${checks.abandoned}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
