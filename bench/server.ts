import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sleep } from "./measure";
import { BENCH_AUTH_SECRET } from "./bench-secret";

/*
 * The console under test: the production build (`next build` into NEXT_DIST_DIR, reused when it
 * has a BUILD_ID) started as `npm start` starts it (server.ts) on the bench database. Memory is
 * read from /proc for the whole process tree, children included.
 */

export function ensureBuild(distDir: string, log: (line: string) => void): { built: boolean; ms: number } {
  if (existsSync(path.join(distDir, "BUILD_ID"))) return { built: false, ms: 0 };
  log(`No build in ${distDir}: running next build (under /tmp/next-build.lock)...`);
  const started = performance.now();
  const env = { ...process.env, NEXT_DIST_DIR: distDir };
  const hasFlock = spawnSync("sh", ["-c", "command -v flock"]).status === 0;
  const result = hasFlock
    ? spawnSync("flock", ["/tmp/next-build.lock", "npm", "run", "build"], { stdio: "inherit", env })
    : spawnSync("npm", ["run", "build"], { stdio: "inherit", env });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
  return { built: true, ms: performance.now() - started };
}

export interface RunningServer {
  url: string;
  pid: number;
  /** Process ids of the server and its descendants. */
  tree(): number[];
  /** Resident memory of the tree now, MiB. */
  rssMiB(): number;
  /** Forgets the peak resident memory so far (VmHWM), so the next peak is one phase's. */
  resetPeak(): void;
  /** Peak resident memory since the last reset, summed over the tree, MiB. */
  peakMiB(): number;
  /** CPU time (user + system) the tree has used so far, ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

function children(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    } catch {
      // The task ended while we looked.
    }
  }
  return out;
}

function descendants(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...children(all[i]!));
  return all;
}

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function statusKiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function waitUntilUp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the console's server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/login`, { redirect: "manual" });
      if (res.status < 500) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`the console did not answer on ${url} within ${timeoutMs / 1000} s`);
}

export async function startServer(opts: {
  port: number;
  distDir: string;
  databaseUrl: string;
  /** DATABASE_READ_URL of the console: a streaming replica of databaseUrl, or none. */
  readDatabaseUrl?: string | null;
  log: (line: string) => void;
  /** Write V8 CPU profiles of the server here (node --cpu-prof). */
  profileDir?: string;
  /**
   * The background jobs in `npm run worker` beside the console (WORKER_IN_PROCESS=false there), as
   * deployments that separate them run it; the worker's CPU and memory are not the console's.
   */
  workerProcess?: boolean;
  /** No background jobs at all (WORKER_IN_PROCESS=false, no worker): the bench runs the one it measures. */
  withoutJobs?: boolean;
}): Promise<RunningServer> {
  const url = `http://127.0.0.1:${opts.port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(opts.port),
    HOST: "127.0.0.1",
    DATABASE_URL: opts.databaseUrl,
    // Only what --read-replica says: a DATABASE_READ_URL left in the shell would change what is measured.
    DATABASE_READ_URL: opts.readDatabaseUrl ?? undefined,
    NEXT_DIST_DIR: opts.distDir,
    ...(process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}),
    AUTH_SECRET: BENCH_AUTH_SECRET,
    // The notification phase's webhook receiver listens on 127.0.0.1.
    WEBHOOK_ALLOW_PRIVATE: "true",
    // Every client of the benchmark signs in from 127.0.0.1.
    AUTH_THROTTLE_IP_LIMIT: "100000",
    AUTH_THROTTLE_ACCOUNT_LIMIT: "100000",
    // The read API is measured reading, not limited (bench/read-api.ts).
    READ_API_RATE_LIMIT: "1000000",
    READ_API_BURST: "100000",
    // The read API's goal compares it with a CSV export of the whole largest organization: 5,000,000
    // seeded entries and the console's own, past the default limit of 5,000,000 rows per export.
    EXPORT_MAX_ROWS: "20000000",
    SEED_DEMO: "false",
    NEXT_TELEMETRY_DISABLED: "1",
    WORKER_IN_PROCESS: opts.workerProcess || opts.withoutJobs ? "false" : "true",
  };
  // What `npm start` runs, without npm in between, so that --cpu-prof profiles the server itself.
  const nodeArgs = opts.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.profileDir}`] : [];
  if (!existsSync(path.join(process.cwd(), ".server", "server.mjs"))) {
    const built = spawnSync("npm", ["run", "build:server"], { stdio: "inherit" });
    if (built.status !== 0) throw new Error(`npm run build:server failed (exit ${built.status})`);
  }
  const child = spawn(process.execPath, [...nodeArgs, path.join(process.cwd(), ".server", "server.mjs")], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString("utf8"));
    if (output.length > 200) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  try {
    await waitUntilUp(url, child, 60_000);
  } catch (err) {
    child.kill("SIGTERM");
    throw new Error(`${(err as Error).message}\n${output.join("")}`);
  }
  const pid = child.pid!;
  opts.log(`Console started: ${url} (pid ${pid}, build ${opts.distDir})`);
  // Started after the console, which has migrated the database by then.
  const worker =
    opts.workerProcess && !opts.withoutJobs
      ? spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", path.join("scripts", "worker.ts")], {
          env: { ...env, WORKER_IN_PROCESS: "true" },
          stdio: ["ignore", "ignore", "pipe"],
        })
      : null;
  worker?.stderr?.on("data", keep);
  if (worker) opts.log(`Worker started beside it: npm run worker (pid ${worker.pid})`);
  return {
    url,
    pid,
    tree: () => descendants(pid),
    rssMiB: () => descendants(pid).reduce((sum, p) => sum + statusKiB(p, "VmRSS"), 0) / 1024,
    resetPeak: () => {
      for (const p of descendants(pid)) {
        try {
          // "5" resets the peak resident set size reported as VmHWM (proc(5), clear_refs).
          writeFileSync(`/proc/${p}/clear_refs`, "5");
        } catch {
          // Not permitted or gone: the sampled RSS still gives a lower bound of the peak.
        }
      }
    },
    peakMiB: () => descendants(pid).reduce((sum, p) => sum + statusKiB(p, "VmHWM"), 0) / 1024,
    // Clock ticks are 1/100 s on Linux.
    cpuMs: () => descendants(pid).reduce((sum, p) => sum + cpuTicks(p), 0) * 10,
    stop: async () => {
      if (worker && worker.exitCode === null) {
        const workerExited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
        worker.kill("SIGTERM");
        await workerExited;
      }
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      // SIGINT: Next.js exits through process.exit, which lets --cpu-prof write its profile.
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Samples the server's resident memory every `everyMs` until stopped; returns the highest sample. */
export function sampleRss(server: RunningServer, everyMs = 50): { stop: () => number } {
  let max = server.rssMiB();
  const timer = setInterval(() => {
    max = Math.max(max, server.rssMiB());
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(max, server.rssMiB());
    },
  };
}
