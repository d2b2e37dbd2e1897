import "server-only";

import postgres from "postgres";
import { sql } from "drizzle-orm";
import { createDatabase, queryRows, setDatabaseHandle } from "@/db/client";
import { ensurePartitions, runMigrations } from "@/db/migrate";
import { organizations } from "@/db/schema";
import { auditEventSchema } from "@/lib/audit/event-schema";
import { storeAuditEvents } from "@/lib/audit/record-audit-event";
import { sealNewEntries } from "@/lib/integrity/seal";
import { getSigningKey } from "@/lib/integrity/signing-key";
import { verifyChain, verifyEntry } from "@/lib/integrity/verify";
import { summarize } from "./measure";
import type { BenchOptions } from "./options";
import { int, ms } from "./report";

/*
 * npm run bench -- --integrity [--rows N] [--quick]: sealing (lib/integrity) on its own database,
 * audit_bench_integrity, in this process, without the console's HTTP layer:
 * - sealing throughput over N stored entries of one organization, in blocks of 10,000;
 * - ingestion (storeAuditEvents, the API's write path, 4 senders of 500-event batches) for a
 *   fixed time without sealing, then with a sealer running back to back beside it (harsher than
 *   the console's job, which waits 30 s between partial blocks);
 * - the chain's check (the command's) and one entry's check (the details view's).
 */

const DATABASE = "audit_bench_integrity";
const SENDERS = 4;
const BATCH = 500;

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

    const seconds = opts.quick ? 5 : 20;
    let n = 0;
    async function ingest(untilMs: number): Promise<number> {
      let events = 0;
      await Promise.all(
        Array.from({ length: SENDERS }, async () => {
          while (performance.now() < untilMs) {
            const batch = Array.from({ length: BATCH }, () => event(n++));
            await storeAuditEvents(db, orgId, batch);
            events += BATCH;
          }
        }),
      );
      return events;
    }
    const offStarted = performance.now();
    const off = (await ingest(offStarted + seconds * 1000)) / ((performance.now() - offStarted) / 1000);
    log(`  ingestion, sealing off: ${int(off)} events/s`);
    // Seal what the first phase stored, so the second starts from the same state.
    while ((await sealNewEntries({ marginMs: 0 })).entries > 0);
    let stop = false;
    let sealedMeanwhile = 0;
    const sealer = (async () => {
      while (!stop) sealedMeanwhile += (await sealNewEntries()).entries;
    })();
    const onStarted = performance.now();
    const on = (await ingest(onStarted + seconds * 1000)) / ((performance.now() - onStarted) / 1000);
    stop = true;
    await sealer;
    log(
      `  ingestion, sealing on: ${int(on)} events/s (${Math.round((on / off) * 100)}% of off), ${int(sealedMeanwhile)} entries sealed meanwhile`,
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
