import "server-only";

import postgres from "postgres";
import { sql } from "drizzle-orm";
import { createDatabase, queryRows, setDatabaseHandle } from "@/db/client";
import { ensurePartitions, runMigrations } from "@/db/migrate";
import { organizations } from "@/db/schema";
import { auditEventSchema } from "@/lib/audit/event-schema";
import { storeAuditEvents } from "@/lib/audit/record-audit-event";
import { sealJob, sealNewEntries } from "@/lib/integrity/seal";
import { getSigningKey } from "@/lib/integrity/signing-key";
import { verifyChain, verifyEntry } from "@/lib/integrity/verify";
import { startWorker } from "@/lib/worker/runner";
import { summarize } from "./measure";
import type { BenchOptions } from "./options";
import { int, ms } from "./report";

/*
 * npm run bench -- --integrity [--rows N] [--quick]: sealing (lib/integrity) on its own database,
 * audit_bench_integrity, in this process, without the console's HTTP layer:
 * - sealing throughput over N stored entries of one organization, in blocks of 10,000;
 * - ingestion (storeAuditEvents, the API's write path, 4 senders of 500-event batches) in four
 *   pairs of phases (one with --quick), without sealing and with the console's sealing job
 *   beside it, in the order off-on, on-off, off-on, on-off; the job
 *   comes round every 5 s (the console's default is 30 s: more often means more, smaller partial
 *   blocks, so the figure is if anything harsher than the default);
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
    for (let from = 0; from < rows; from += 100_000) {
      const to = Math.min(rows, from + 100_000);
      await db.execute(sql`
        insert into audit_logs (org_id, occurred_at, received_at, actor_id, actor_name, actor_email, category, action,
                                description, target_type, target_id, target_name, result, ip, params, after)
        select ${orgId}::uuid, now() - (i || ' seconds')::interval, now() - interval '1 hour' + (i || ' milliseconds')::interval,
               'u_' || (i % 97), 'Bench User ' || (i % 97), 'bench' || (i % 97) || '@bench.test', 'service', 'deploy',
               'deploy service ' || (i % 7) || ' to production', 'service', 'svc_' || (i % 7), 'service-' || (i % 7),
               'done', '203.0.113.7', jsonb_build_object('env', 'production', 'n', i), jsonb_build_object('version', '1.' || (i % 10))
        from generate_series(${from}::int, ${to - 1}::int) as i`);
    }
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

    // Phases alternate so that the table's growth and the machine's drift touch both; each
    // measures a window after a warm-up of the same setup, so that the sealing job is in its
    // steady rhythm (sealing what arrived since its last run) when the window opens.
    const seconds = opts.quick ? 5 : 20;
    let n = 0;
    async function ingest(untilMs: number, counted: { fromMs: number; events: number }): Promise<void> {
      await Promise.all(
        Array.from({ length: SENDERS }, async () => {
          while (performance.now() < untilMs) {
            const batch = Array.from({ length: BATCH }, () => event(n++));
            await storeAuditEvents(db, orgId, batch);
            // A batch counts for the window when it finished inside it.
            if (performance.now() >= counted.fromMs) counted.events += BATCH;
          }
        }),
      );
    }
    async function sealedCount(): Promise<number> {
      const [row] = await queryRows<{ n: number }>(
        db,
        sql`select coalesce(sum(entry_count), 0)::int as n from integrity_blocks where org_id = ${orgId}`,
      );
      return row?.n ?? 0;
    }
    const phases: { sealing: boolean; rate: number }[] = [];
    // Two phases of the same setup differed by 10-20% in one run (2026-12-07), more than the
    // goal's margin: four pairs, and each pair's ratio printed, so the spread is seen beside the mean.
    // The table grows by each phase's entries and ingestion slows with it (15,665 to 12,195
    // events/s without sealing over one run): pairs go off-on, on-off, ... so that the later phase
    // of a pair is not always the one with sealing on.
    const pairs = opts.quick ? 1 : 4;
    const order = Array.from({ length: pairs }, (_, i) => (i % 2 === 0 ? [false, true] : [true, false])).flat();
    for (const sealing of order) {
      // Each phase starts with everything before it sealed.
      while ((await sealNewEntries({ marginMs: 0 })).entries > 0);
      const worker = sealing ? startWorker([sealJob({ idleMs: SEAL_INTERVAL_MS })], log) : null;
      const start = performance.now();
      const counted = { fromMs: start + WARM_UP_MS, events: 0 };
      const sealedBefore = await sealedCount();
      const firstEvent = n;
      await ingest(counted.fromMs + seconds * 1000, counted);
      const windowSeconds = (performance.now() - counted.fromMs) / 1000;
      await worker?.stop();
      const sealedMeanwhile = (await sealedCount()) - sealedBefore;
      const rate = counted.events / windowSeconds;
      phases.push({ sealing, rate });
      log(
        `  ingestion, sealing ${sealing ? "on " : "off"}: ${int(rate)} events/s` +
          (sealing ? ` (${int(sealedMeanwhile)} of the phase's ${int(n - firstEvent)} entries sealed meanwhile)` : ""),
      );
    }
    const mean = (sealing: boolean) => {
      const rates = phases.filter((p) => p.sealing === sealing).map((p) => p.rate);
      return rates.reduce((a, b) => a + b, 0) / rates.length;
    };
    const off = mean(false);
    const on = mean(true);
    const pairRatios = Array.from({ length: pairs }, (_, i) => {
      const pair = phases.slice(2 * i, 2 * i + 2);
      return pair.find((p) => p.sealing)!.rate / pair.find((p) => !p.sealing)!.rate;
    });
    const percent = (r: number) => `${Math.round(r * 100)}%`;
    log(
      `  ingestion with sealing on: ${percent(on / off)} of the rate with it off (means of ${pairs} phases each; ` +
        `pair by pair ${pairRatios.map(percent).join(", ")})`,
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
