import "server-only";

import { spawn } from "node:child_process";
import path from "node:path";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { createDatabase, queryRows, setDatabaseHandle, type Database } from "@/db/client";
import { ensurePartitions, runMigrations } from "@/db/migrate";
import { organizations } from "@/db/schema";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { auditEventSchema } from "@/lib/audit/event-schema";
import { storeAuditEvents } from "@/lib/audit/record-audit-event";
import { sealJob, sealNewEntries } from "@/lib/integrity/seal";
import { getSigningKey } from "@/lib/integrity/signing-key";
import { verifyChain, verifyEntry } from "@/lib/integrity/verify";
import { startWorker } from "@/lib/worker/runner";
import { GOALS } from "./goals";
import { cpuSpan } from "./machine-cpu";
import { runIngestion } from "./ingestion";
import { summarize } from "./measure";
import type { BenchOptions } from "./options";
import { int, ms } from "./report";
import { ensureBuild, startServer } from "./server";

/*
 * npm run bench -- --integrity [--rows N] [--quick]: sealing (lib/integrity) on its own database,
 * audit_bench_integrity:
 * - sealing throughput over N stored entries of one organization, in blocks of 10,000;
 * - sealing's cost to ingestion, in six pairs of phases (one with --quick) without sealing and
 *   with the console's sealing job beside it, in the order off-on, on-off, off-on, ...; the job
 *   comes round every 5 s (the console's default is 30 s: more often means more, smaller partial
 *   blocks, so the figure is if anything harsher than the default). Measured twice: with the API's
 *   write path in this process (storeAuditEvents, 4 senders of 500-event batches, no HTTP; the job
 *   in this process too), and through the console's API (the production build, 4 senders of
 *   500-event batches over HTTP; the job in a process of its own, bench/seal-worker.ts);
 * - the chain's check (the command's) and one entry's check (the details view's).
 */

const DATABASE = "audit_bench_integrity";
const SENDERS = 4;
const BATCH = 500;
const SEAL_INTERVAL_MS = 5_000;
/** Each phase's window opens after this, so that the job is in its rhythm when it is measured. */
const WARM_UP_MS = SEAL_INTERVAL_MS;

function event(n: number) {
  return auditEventSchema.parse({
    occurredAt: new Date(Date.now() - (n % 5000)).toISOString(),
    actor: { id: `u_${n % 97}`, name: `Ingest User ${n % 97}`, email: `ingest.user${n % 97}@bench.test` },
    category: "service",
    action: "deploy",
    description: `deploy service ${n % 7} to production`,
    target: { type: "service", id: `svc_${n % 7}`, name: `service-${n % 7}` },
    result: n % 23 ? "done" : "failed",
    ip: "203.0.113.7",
    params: { env: "production", n },
    after: { version: `1.${n % 10}.0` },
  });
}

export interface PairsResult {
  /** Mean rate with sealing on over the mean with it off. */
  share: number;
  pairShares: number[];
  phases: { sealing: boolean; rate: number; sealedMeanwhile: number; entries: number }[];
  /** CPU per entry (µs, the whole machine's): storing it with sealing off, and sealing it afterwards. */
  cpu: { ingestUsPerEntry: number; sealUsPerEntry: number; sealOverIngest: number };
}

const percent = (r: number) => `${Math.round(r * 100)}%`;

/** Seals everything stored; answers the entries sealed and the machine's CPU for it. */
async function sealBacklog(): Promise<{ entries: number; cpuMs: number }> {
  const span = cpuSpan();
  let entries = 0;
  for (;;) {
    const sealed = (await sealNewEntries({ marginMs: 0 })).entries;
    if (sealed === 0) break;
    entries += sealed;
  }
  return { entries, cpuMs: span().machineMs };
}

/**
 * Ingestion with and without the console's sealing job beside it, in pairs whose order alternates
 * (off-on, on-off, ...): the table grows by each phase's entries and ingestion slows with it
 * (15,665 to 12,195 events/s without sealing over one run), so the later phase of a pair is not
 * always the one with sealing on. Before each phase everything stored is sealed and the database
 * takes a CHECKPOINT: a phase writes about a gigabyte of WAL, past max_wal_size's trigger, so
 * each phase crossed a checkpoint somewhere (a run of 2026-12-07 made 9 in 8 phases); starting
 * each from one, their full-page writes fall alike.
 *
 * Beside the rates, what each side costs in CPU, which the noise of the rates does not touch: the
 * machine's busy time per entry stored in the "off" phases (less the bench's own process when
 * the writer is elsewhere: its senders and their premade bodies are not the console's work), and
 * per entry sealed when the backlog of an "off" phase is sealed afterwards.
 */
async function onOffPairs(opts: {
  label: string;
  pairs: number;
  db: Database;
  sealedCount: () => Promise<number>;
  /** Starts the sealing job beside the writer; the promise settles once it runs. */
  startSealing: () => Promise<{ stop: () => Promise<void> }>;
  ingest: () => Promise<{ rate: number; entries: number }>;
  /** Whether the writer runs in the bench's process, so that its CPU counts as ingestion's. */
  writerInThisProcess: boolean;
  log: (line: string) => void;
}): Promise<PairsResult> {
  const order = Array.from({ length: opts.pairs }, (_, i) => (i % 2 === 0 ? [false, true] : [true, false])).flat();
  const phases: PairsResult["phases"] = [];
  const ingestCpu = { ms: 0, entries: 0 };
  const sealCpu = { ms: 0, entries: 0 };
  const catchUp = async (afterOff: boolean) => {
    const sealed = await sealBacklog();
    if (afterOff) {
      sealCpu.ms += sealed.cpuMs;
      sealCpu.entries += sealed.entries;
    }
  };
  opts.log(`  ingestion ${opts.label}:`);
  await catchUp(false);
  for (const sealing of order) {
    await opts.db.execute(sql`checkpoint`);
    const worker = sealing ? await opts.startSealing() : null;
    const sealedBefore = await opts.sealedCount();
    const span = cpuSpan();
    const { rate, entries } = await opts.ingest();
    const cpu = span();
    await worker?.stop();
    const sealedMeanwhile = (await opts.sealedCount()) - sealedBefore;
    phases.push({ sealing, rate, sealedMeanwhile, entries });
    if (!sealing) {
      ingestCpu.ms += opts.writerInThisProcess ? cpu.machineMs : cpu.machineMs - cpu.ownMs;
      ingestCpu.entries += entries;
    }
    opts.log(
      `    sealing ${sealing ? "on " : "off"}: ${int(rate)} events/s` +
        (sealing ? ` (${int(sealedMeanwhile)} of the phase's ${int(entries)} entries sealed meanwhile)` : ""),
    );
    await catchUp(!sealing);
  }
  const mean = (sealing: boolean) => {
    const rates = phases.filter((p) => p.sealing === sealing).map((p) => p.rate);
    return rates.reduce((a, b) => a + b, 0) / rates.length;
  };
  const share = mean(true) / mean(false);
  const pairShares = Array.from({ length: opts.pairs }, (_, i) => {
    const pair = phases.slice(2 * i, 2 * i + 2);
    return pair.find((p) => p.sealing)!.rate / pair.find((p) => !p.sealing)!.rate;
  });
  const ingestUsPerEntry = (ingestCpu.ms * 1000) / ingestCpu.entries;
  const sealUsPerEntry = (sealCpu.ms * 1000) / sealCpu.entries;
  const sealOverIngest = sealUsPerEntry / ingestUsPerEntry;
  opts.log(
    `    with sealing on: ${percent(share)} of the rate with it off (means of ${opts.pairs} phases each; ` +
      `pair by pair ${pairShares.map(percent).join(", ")})`,
  );
  opts.log(
    `    CPU per entry (the machine's): storing ${ingestUsPerEntry.toFixed(0)} µs, sealing ${sealUsPerEntry.toFixed(1)} µs ` +
      `= ${(sealOverIngest * 100).toFixed(1)}% of storing; with the cores full that leaves ingestion ` +
      `${percent(1 / (1 + sealOverIngest))} of its rate`,
  );
  return { share, pairShares, phases, cpu: { ingestUsPerEntry, sealUsPerEntry, sealOverIngest } };
}

/** bench/seal-worker.ts in a child process; settles once its job runs. */
function startSealingProcess(databaseUrl: string, log: (line: string) => void): Promise<{ stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--conditions=react-server",
      path.join("bench", "seal-worker.ts"),
      databaseUrl,
      String(SEAL_INTERVAL_MS),
    ],
    { env: process.env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const errors: string[] = [];
  child.stderr.on("data", (chunk: Buffer) => errors.push(chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    child.kill("SIGTERM");
    const code = await exited;
    if (code !== 0) throw new Error(`the sealing process ended with exit code ${code}: ${errors.join("")}`);
  };
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString("utf8").includes("ready")) {
        log(`    (sealing in process ${child.pid})`);
        resolve({ stop });
      }
    });
    void exited.then((code) =>
      reject(new Error(`the sealing process ended with exit code ${code}: ${errors.join("")}`)),
    );
  });
}

export async function runIntegrityBench(opts: BenchOptions, log: (line: string) => void): Promise<number> {
  const admin = postgres(opts.serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
  await admin.unsafe(`create database ${DATABASE}`);
  const url = new URL(opts.serverUrl);
  url.pathname = `/${DATABASE}`;
  const handle = createDatabase({ url: url.toString(), maxConnections: SENDERS + 3 });
  setDatabaseHandle(handle);
  const db = handle.db;
  try {
    await runMigrations(handle);
    await ensurePartitions(handle);
    const [org] = await db
      .insert(organizations)
      .values({ slug: "bench", name: "Bench" })
      .returning({ id: organizations.id });
    const orgId = org!.id;
    const rows = opts.rows;
    log(`Integrity bench: ${int(rows)} entries of one organization (database ${DATABASE})`);
    const seedStarted = performance.now();
    // One entry per millisecond of arrival, all of them in the past: with 10,000,000 rows a span
    // that started an hour ago ran 1.8 hours into the future, past what sealing may take (the
    // committed horizon), so the throughput figure chased the clock in blocks of a few entries.
    for (let from = 0; from < rows; from += 100_000) {
      const to = Math.min(rows, from + 100_000);
      await db.execute(sql`
        insert into audit_logs (org_id, occurred_at, received_at, actor_id, actor_name, actor_email, category, action,
                                description, target_type, target_id, target_name, result, ip, params, after)
        select ${orgId}::uuid, now() - (i || ' seconds')::interval, now() - interval '1 hour' - ((${rows}::int - i) || ' milliseconds')::interval,
               'u_' || (i % 97), 'Bench User ' || (i % 97), 'bench' || (i % 97) || '@bench.test', 'service', 'deploy',
               'deploy service ' || (i % 7) || ' to production', 'service', 'svc_' || (i % 7), 'service-' || (i % 7),
               'done', '203.0.113.7', jsonb_build_object('env', 'production', 'n', i), jsonb_build_object('version', '1.' || (i % 10))
        from generate_series(${from}::int, ${to - 1}::int) as i`);
    }
    // As autovacuum would soon after such a load (it is off on the machines the bench runs on).
    // Without statistics the planner sorted the whole unsealed backlog for each block: 460 ms
    // for a block of 10,000 out of 200,000 against 180 ms with them (2026-12-07).
    await db.execute(sql`analyze audit_logs`);
    log(`  seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s; sealing...`);
    getSigningKey();

    const sealStarted = performance.now();
    let sealed = 0;
    for (;;) {
      const run = await sealNewEntries({ marginMs: 0 });
      if (run.entries === 0) break;
      sealed += run.entries;
    }
    const sealSeconds = (performance.now() - sealStarted) / 1000;
    const [{ blocks } = { blocks: 0 }] = await queryRows<{ blocks: number }>(
      db,
      sql`select count(*)::int as blocks from integrity_blocks`,
    );
    log(
      `  sealing: ${int(sealed)} entries in ${sealSeconds.toFixed(1)} s = ${int(sealed / sealSeconds)} entries/s (${int(blocks)} blocks)`,
    );

    async function sealedCount(): Promise<number> {
      const [row] = await queryRows<{ n: number }>(
        db,
        sql`select coalesce(sum(entry_count), 0)::int as n from integrity_blocks where org_id = ${orgId}`,
      );
      return row?.n ?? 0;
    }
    const seconds = opts.quick ? 5 : 20;
    // Two phases of the same setup differed by 10-20% in one run (2026-12-07), more than the
    // goal's margin, and pairs by 7-34 points: six pairs, and each pair's ratio printed, so the
    // spread is seen beside the mean.
    const pairs = opts.quick ? 1 : 6;
    const sealingBeside = (
      label: string,
      startSealing: () => Promise<{ stop: () => Promise<void> }>,
      ingest: () => Promise<{ rate: number; entries: number }>,
      writerInThisProcess: boolean,
    ) => onOffPairs({ label, pairs, db, sealedCount, startSealing, ingest, writerInThisProcess, log });

    // The API's write path in this process, without HTTP: the harsher measure, since sealing's
    // share of the CPU is larger beside a cheaper writer.
    let n = 0;
    const inProcess = await sealingBeside(
      "in this process (storeAuditEvents, no HTTP), sealing in this process too",
      async () => startWorker([sealJob({ idleMs: SEAL_INTERVAL_MS })], log),
      async () => {
        const counted = { fromMs: performance.now() + WARM_UP_MS, events: 0 };
        const first = n;
        await Promise.all(
          Array.from({ length: SENDERS }, async () => {
            while (performance.now() < counted.fromMs + seconds * 1000) {
              const batch = Array.from({ length: BATCH }, () => event(n++));
              await storeAuditEvents(db, orgId, batch);
              // A batch counts for the window when it finished inside it.
              if (performance.now() >= counted.fromMs) counted.events += BATCH;
            }
          }),
        );
        return { rate: counted.events / ((performance.now() - counted.fromMs) / 1000), entries: n - first };
      },
      true,
    );

    // The ingestion the platform's services use: the console's API, over HTTP, the bodies made
    // before the clock starts. The console runs no background job; in the "on" phases sealing runs
    // beside it in a process of its own, as `npm run worker` runs it. (Run in this process, as
    // until 2026-12-07, its tree and record held up the senders' event loop for 30-35 ms a block.)
    ensureBuild(opts.distDir, log);
    const server = await startServer({
      port: opts.port,
      distDir: opts.distDir,
      databaseUrl: url.toString(),
      log,
      withoutJobs: true,
    });
    let throughApi: PairsResult;
    try {
      const apiKey = await createApiKey(db, { orgId, name: "integrity bench", createdBy: null });
      throughApi = await sealingBeside(
        "through the API (4 senders of 500 over HTTP), sealing in a process of its own",
        () => startSealingProcess(url.toString(), log),
        async () => {
          const result = await runIngestion({
            baseUrl: server.url,
            apiKey: apiKey.secret,
            seconds,
            warmUpSeconds: WARM_UP_MS / 1000,
            senders: SENDERS,
            maxPerSecond: 25_000,
          });
          if (result.errors > 0) throw new Error(`ingestion through the API failed: ${result.firstError}`);
          if (result.ranOut)
            throw new Error("the API took every premade batch before the time was up: raise maxPerSecond");
          return { rate: result.eventsPerSecond, entries: result.warmUpEvents + result.events };
        },
        false,
      );
    } finally {
      await server.stop();
    }
    // One decimal: 89.7% printed as 90% beside "missed" read as a contradiction.
    const verdict = (share: number) =>
      `${(share * 100).toFixed(1)}% (${share >= GOALS.sealing.onOverOff ? "met" : "missed"})`;
    log(
      `  ingestion with sealing on / off, goal ≥ ${percent(GOALS.sealing.onOverOff)}: through the API ${verdict(throughApi.share)}; ` +
        `in this process, without HTTP ${verdict(inProcess.share)}`,
    );

    const verifyStarted = performance.now();
    const report = await verifyChain(db, orgId, getSigningKey());
    const verifySeconds = (performance.now() - verifyStarted) / 1000;
    const checked = report.blocks.reduce((s, b) => s + b.count, 0);
    log(
      `  chain check: ${int(checked)} entries in ${report.blocks.length} blocks, ${verifySeconds.toFixed(1)} s = ${int(checked / verifySeconds)} entries/s, ${report.problems.length} problems`,
    );
    const sample = await queryRows<{ id: string }>(
      db,
      sql`select id::text as id from audit_logs order by random() limit 20`,
    );
    const times: number[] = [];
    for (const { id } of sample) {
      const started = performance.now();
      await verifyEntry(db, orgId, id, getSigningKey());
      times.push(performance.now() - started);
    }
    const one = summarize(times);
    log(`  one entry's check (details view): median ${ms(one.median)}, p95 ${ms(one.p95)}`);
    return report.problems.length === 0 ? 0 : 1;
  } finally {
    setDatabaseHandle(undefined);
    await handle.close();
    await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
    await admin.end({ timeout: 5 });
  }
}
