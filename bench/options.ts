import { parseArgs } from "node:util";

/*
 * The benchmark's command line. Everything that changes what is measured is a flag, so a table in
 * docs/performance.md can always be reproduced from the command printed above it.
 */

export interface BenchOptions {
  rows: number;
  orgs: number;
  seed: number;
  /** Keep the data set when it already holds what was asked for. */
  reuse: boolean;
  /** Fewer repetitions and shorter load phases, for CI. */
  quick: boolean;
  port: number;
  /** Run the console under `node --cpu-prof` and summarise the profile. */
  profile: boolean;
  /** Measure only the insights scenarios (issue 18), not exports, ingestion or load. */
  insights: boolean;
  /** Where `next build` writes and `next start` reads. */
  distDir: string;
  /** Server URL the bench database is derived from (DATABASE_URL). */
  serverUrl: string;
  /** Only the notification or the streaming phase (with the data set and the console it needs). */
  only: "notifications" | "streams" | "search" | "explorer" | "load" | null;
  /** Ingestion rate of the notification phase, events/s. */
  notifyRate: number;
  /** Ingestion rate of the streaming phase, events/s. */
  streamRate: number;
  /** Only the integrity bench (bench/integrity.ts). */
  integrity: boolean;
  /** Server URL of a streaming replica of the DATABASE_URL server: the console reads from it. */
  readReplica: string | null;
  /** The background jobs in `npm run worker` beside the console (WORKER_IN_PROCESS=false) instead of in it. */
  workerProcess: boolean;
}

export const USAGE = `usage: DATABASE_URL=postgres://... npm run bench -- [--rows N] [--orgs N] [--seed N] [--reuse] [--quick] [--port N] [--profile]
  --rows   audit entries in the data set (default 10,000,000)
  --orgs   organizations; the largest holds half of the rows (default 20)
  --seed   data set seed (default 1)
  --reuse  keep the data set when it already has these rows, organizations and seed
  --quick  fewer repetitions and shorter load phases (CI)
  --port   port of the console under test (default 3204)
  --profile  run the console under node --cpu-prof; the profile and its summary go to bench/results/
  --only notifications  run only the notification phase (20 rules, webhook latency, ingestion with rules on and off)
  --notify-rate  ingestion rate of the notification phase, events/s (default 2,000)
  --only streams  run only the streaming phase (one NDJSON destination, lag from ingestion to receiver)
  --only search  run only the search box's lookups: the user filter's actor search and the action suggestions
  --only explorer  run the explorer's pages, their insights and the search box's lookups; no exports, ingestion or load
  --only load  run only exports, the read API, ingestion beside COPY and the mixed load (issues 20 and 22)
  --stream-rate  ingestion rate of the streaming phase, events/s (default 2,000)
  --integrity  only sealing, its cost to ingestion and the checks, in-process on audit_bench_integrity (--rows entries)
  --insights  measure only the explorer scenarios' insights (histogram, facets, sign-in patterns)
  --worker-process  the background jobs (notification matching, sealing, ...) in \`npm run worker\` beside the console, not in its process
  --read-replica URL  a streaming replica of the DATABASE_URL server (e.g. postgres://postgres@127.0.0.1:5433/postgres):
              the console gets DATABASE_READ_URL on the bench database there
The benchmark uses its own database, audit_bench (BENCH_DATABASE names another), on the DATABASE_URL server (created if missing).
NEXT_DIST_DIR chooses the build folder (default .next-bench); it is built when it has no BUILD_ID.
BENCH_SERVER_NODE_OPTIONS, when set, is the console's NODE_OPTIONS (and only the console's), e.g. --max-old-space-size=256.`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function whole(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/[_,]/g, ""));
  if (!Number.isSafeInteger(n) || n < min) fail(`--${name} must be a whole number >= ${min}, got "${value}"`);
  return n;
}

function onlyOption(value: string | undefined): BenchOptions["only"] {
  if (value === undefined) return null;
  if (
    value === "notifications" ||
    value === "streams" ||
    value === "search" ||
    value === "explorer" ||
    value === "load"
  )
    return value;
  fail(`--only takes "notifications", "streams", "search", "explorer" or "load", got "${value}"`);
}

function replicaOption(value: string | undefined): string | null {
  if (value === undefined) return null;
  try {
    const url = new URL(value);
    if (url.protocol === "postgres:" || url.protocol === "postgresql:") return value;
  } catch {
    // Reported below.
  }
  fail(`--read-replica takes a postgres:// URL of the replica's server, got "${value}"`);
}

export function readOptions(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        rows: { type: "string" },
        orgs: { type: "string" },
        seed: { type: "string" },
        reuse: { type: "boolean" },
        quick: { type: "boolean" },
        port: { type: "string" },
        profile: { type: "boolean" },
        only: { type: "string" },
        "notify-rate": { type: "string" },
        "stream-rate": { type: "string" },
        integrity: { type: "boolean" },
        insights: { type: "boolean" },
        "read-replica": { type: "string" },
        "worker-process": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const serverUrl = env.DATABASE_URL;
  if (!serverUrl)
    fail(
      "DATABASE_URL is not set: the benchmark needs a PostgreSQL server (it creates its own database audit_bench there).",
    );
  const str = (v: string | boolean | undefined) => (typeof v === "string" ? v : undefined);
  return {
    rows: whole("rows", str(values.rows), 10_000_000, 1_000),
    orgs: whole("orgs", str(values.orgs), 20, 2),
    seed: whole("seed", str(values.seed), 1, 0),
    reuse: values.reuse === true,
    quick: values.quick === true,
    port: whole("port", str(values.port), 3204, 1),
    profile: values.profile === true,
    insights: values.insights === true,
    distDir: env.NEXT_DIST_DIR ?? ".next-bench",
    serverUrl,
    only: onlyOption(str(values.only)),
    notifyRate: whole("notify-rate", str(values["notify-rate"]), 2_000, 1),
    streamRate: whole("stream-rate", str(values["stream-rate"]), 2_000, 1),
    integrity: values.integrity === true,
    readReplica: replicaOption(str(values["read-replica"])),
    workerProcess: values["worker-process"] === true,
  };
}
