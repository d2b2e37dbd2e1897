import "server-only";

import { sql } from "drizzle-orm";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { memberships, organizations, permissionGrants, users, type MemberRole } from "@/db/schema";
import { demoUuid, seedAuditRows, type SeedOrg } from "@/db/seed";
import { hashPassword } from "@/lib/auth/password";
import { BENCH_DATABASE } from "./bench-db";
import {
  backendTicks,
  cpuSeconds,
  indexDefinitions,
  processTicks,
  verifyIndexes,
  type IndexCheck,
} from "./schema-check";

/*
 * The benchmark's data set: N organizations, the largest holding half of the rows, entries spread
 * over 13 months (denser towards now, as the demo seed draws them), generated set-based inside
 * the database by the demo seed's seedAuditRows. What was built is written into the database's
 * comment, so `--reuse` can tell whether the data set is the one asked for.
 */

export const BENCH_PASSWORD = "bench-password-not-a-secret";
const DATASET_VERSION = 2;
/** 13 months. */
export const DATASET_DAYS = 396;

export interface DatasetMeta {
  version: number;
  rows: number;
  orgs: number;
  seed: number;
  days: number;
  /** The seed's `now`: the newest entry is just before it. */
  now: string;
  builtAt: string;
}

export interface BenchOrg {
  id: string;
  slug: string;
  name: string;
  domain: string;
}

export interface Dataset {
  meta: DatasetMeta;
  reused: boolean;
  largest: BenchOrg;
  admin: { id: string; email: string; password: string };
  /** A member of the largest organization with entries of their own (the "one user" scenario). */
  member: { id: string; email: string };
  build: null | {
    /** seedAuditRows: rows, their indexes (built per partition), ANALYZE. */
    seedMs: number;
    rowsPerSecond: number;
    vacuumAnalyzeMs: number;
    /** Database CPU seconds, when the server runs on this machine (see schema-check.ts). */
    cpu: { seed: number | null; vacuumAnalyze: number | null };
    totalMs: number;
    /** The audit_logs index definitions equal those of the freshly migrated database. */
    indexes: IndexCheck;
  };
}

type Reserved = Awaited<ReturnType<(DatabaseHandle & { kind: "postgres" })["sql"]["reserve"]>>;

/** Runs `fn` on one reserved session; answers the CPU seconds its backend spent, when visible. */
async function withBackendCpu(
  handle: DatabaseHandle & { kind: "postgres" },
  fn: (conn: Reserved) => Promise<unknown>,
): Promise<number | null> {
  const conn = await handle.sql.reserve();
  try {
    const [row] = (await conn`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
    const before = processTicks(row.pid);
    await fn(conn);
    const after = processTicks(row.pid);
    return before === null || after === null ? null : Math.round(after - before) / 100;
  } finally {
    conn.release();
  }
}

export function orgSlug(i: number): string {
  return `bench-${String(i + 1).padStart(2, "0")}`;
}

function orgDomain(slug: string): string {
  return `${slug}.bench.test`;
}

function benchOrgs(count: number): BenchOrg[] {
  return Array.from({ length: count }, (_, i) => {
    const slug = orgSlug(i);
    return {
      id: demoUuid(`bench:org:${slug}`),
      slug,
      name: i === 0 ? "Bench Largest" : `Bench ${i + 1}`,
      domain: orgDomain(slug),
    };
  });
}

interface BenchPerson {
  id: string;
  email: string;
  name: string;
  role: MemberRole;
}

const PEOPLE: readonly [string, string, MemberRole][] = [
  ["bench-admin", "Bench Admin", "admin"],
  ["rei.ogawa", "Rei Ogawa", "manager"],
  ["sofia.marin", "Sofia Marin", "member"],
  ["tariq.haddad", "Tariq Haddad", "member"],
  ["lena.voss", "Lena Voss", "member"],
  ["kwame.mensah", "Kwame Mensah", "member"],
];

/** The largest organization and its admin, who signs in with BENCH_PASSWORD (tools that reuse a built data set). */
export function largestOrgAdmin(): { slug: string; email: string } {
  const slug = orgSlug(0);
  return { slug, email: `${PEOPLE[0]![0]}@${orgDomain(slug)}` };
}

function peopleOf(org: BenchOrg, largest: boolean): BenchPerson[] {
  return PEOPLE.slice(0, largest ? PEOPLE.length : 3).map(([local, name, role]) => {
    const email = `${local}@${org.domain}`;
    return { id: demoUuid(`bench:user:${email}`), email, name, role };
  });
}

async function readMeta(handle: DatabaseHandle): Promise<DatasetMeta | null> {
  const [row] = await queryRows<{ comment: string | null }>(
    handle.db,
    sql`select shobj_description(oid, 'pg_database') as comment from pg_database where datname = current_database()`,
  );
  try {
    const meta = JSON.parse(row?.comment ?? "null") as DatasetMeta | null;
    return meta && meta.version === DATASET_VERSION ? meta : null;
  } catch {
    return null;
  }
}

async function writeMeta(handle: DatabaseHandle, meta: DatasetMeta): Promise<void> {
  const text = JSON.stringify(meta).replace(/'/g, "''");
  await handle.db.execute(sql.raw(`comment on database ${BENCH_DATABASE} is '${text}'`));
}

async function auditRowCount(handle: DatabaseHandle, orgIds: string[]): Promise<number> {
  const [row] = await queryRows<{ n: string }>(
    handle.db,
    sql`select count(*) as n from audit_logs where org_id in (${sql.join(
      orgIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`,
  );
  return Number(row?.n ?? 0);
}

/** Drops everything in the bench database and migrates it afresh. */
async function resetSchema(handle: DatabaseHandle & { kind: "postgres" }): Promise<void> {
  const [db] = await handle.sql`select current_database() as name`;
  if (db?.name !== BENCH_DATABASE) throw new Error(`refusing to reset ${String(db?.name)}: not the bench database`);
  // A half-built data set must not pass for the one the comment describes.
  await handle.sql.unsafe(`comment on database ${BENCH_DATABASE} is null`);
  await handle.sql.unsafe("drop schema if exists drizzle cascade");
  await handle.sql.unsafe("drop schema if exists public cascade");
  await handle.sql.unsafe("create schema public");
  await runMigrations(handle);
}

async function createPeople(handle: DatabaseHandle, orgs: BenchOrg[]): Promise<Map<string, BenchPerson[]>> {
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const byOrg = new Map(orgs.map((o, i) => [o.id, peopleOf(o, i === 0)]));
  await handle.db.insert(organizations).values(orgs.map((o) => ({ id: o.id, slug: o.slug, name: o.name })));
  const all = [...byOrg.entries()].flatMap(([orgId, people]) => people.map((p) => ({ orgId, ...p })));
  await handle.db.insert(users).values(
    all.map((p) => ({
      id: p.id,
      email: p.email,
      name: p.name,
      passwordHash: p.role === "admin" && p.orgId === orgs[0]!.id ? passwordHash : null,
    })),
  );
  await handle.db.insert(memberships).values(all.map((p) => ({ orgId: p.orgId, userId: p.id, role: p.role })));
  const managers = all.filter((p) => p.role === "manager");
  if (managers.length > 0) {
    await handle.db
      .insert(permissionGrants)
      .values(
        managers.flatMap((p) =>
          (["audit.view", "audit.export"] as const).map((permission) => ({ orgId: p.orgId, userId: p.id, permission })),
        ),
      );
  }
  return byOrg;
}

function datasetOf(meta: DatasetMeta, reused: boolean, build: Dataset["build"]): Dataset {
  const orgs = benchOrgs(meta.orgs);
  const largest = orgs[0]!;
  const people = peopleOf(largest, true);
  const admin = people[0]!;
  const member = people[2]!;
  return {
    meta,
    reused,
    largest,
    admin: { id: admin.id, email: admin.email, password: BENCH_PASSWORD },
    member: { id: member.id, email: member.email },
    build,
  };
}

export interface BuildOptions {
  rows: number;
  orgs: number;
  seed: number;
  reuse: boolean;
  log: (line: string) => void;
}

/** The data set asked for: reused when `reuse` and it is already there, else built afresh. */
export async function prepareDataset(
  handle: DatabaseHandle & { kind: "postgres" },
  opts: BuildOptions,
): Promise<Dataset> {
  const existing = await readMeta(handle);
  if (
    opts.reuse &&
    existing &&
    existing.rows === opts.rows &&
    existing.orgs === opts.orgs &&
    existing.seed === opts.seed
  ) {
    // Migrations that landed since the data set was built (a new index, say) apply to it too.
    await runMigrations(handle);
    const residue = await removeRunResidue(handle, existing);
    if (residue > 0) opts.log(`Removed ${residue.toLocaleString("en-US")} entries left by earlier runs.`);
    const orgIds = benchOrgs(opts.orgs).map((o) => o.id);
    const count = await auditRowCount(handle, orgIds);
    if (count === opts.rows) {
      opts.log(`Reusing the data set built ${existing.builtAt} (${count.toLocaleString("en-US")} rows).`);
      const ageHours = (Date.now() - Date.parse(existing.now)) / 3_600_000;
      if (ageHours > 12) {
        opts.log(
          `  note: it is ${Math.round(ageHours)} hours old; the rolling periods (7 and 30 days) now hold fewer of its entries than when it was built.`,
        );
      }
      return datasetOf(existing, true, null);
    }
    opts.log(
      `The data set holds ${count.toLocaleString("en-US")} rows, not ${opts.rows.toLocaleString("en-US")}: rebuilding.`,
    );
  }

  const started = performance.now();
  opts.log("Resetting and migrating the bench database...");
  await resetSchema(handle);
  const orgs = benchOrgs(opts.orgs);
  const people = await createPeople(handle, orgs);
  const now = new Date();
  const seedOrgs: SeedOrg[] = orgs.map((o, i) => ({
    id: o.id,
    name: o.name,
    domain: o.domain,
    // The largest organization weighs as much as all the others together: half of the rows.
    weight: i === 0 ? opts.orgs - 1 : 1,
    people: (people.get(o.id) ?? []).map((p) => ({ id: p.id, name: p.name, email: p.email, role: p.role })),
  }));

  opts.log(
    `Generating ${opts.rows.toLocaleString("en-US")} audit rows for ${opts.orgs} organizations over ${DATASET_DAYS} days...`,
  );
  let lastReport = 0;
  const expectedIndexes = await indexDefinitions(handle);
  const seedTicks = await backendTicks(handle);
  const seedStarted = performance.now();
  const result = await seedAuditRows(handle, {
    orgs: seedOrgs,
    rows: opts.rows,
    seed: opts.seed,
    now,
    days: DATASET_DAYS,
    onProgress: (inserted, total) => {
      const t = performance.now();
      if (inserted < total && t - lastReport < 10_000) return;
      lastReport = t;
      const rate = Math.round(inserted / ((t - seedStarted) / 1000));
      opts.log(
        `  ${inserted.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} rows (${rate.toLocaleString("en-US")} rows/s, indexes included)`,
      );
    },
  });
  const seedMs = performance.now() - seedStarted;
  const seedCpu = cpuSeconds(seedTicks, await backendTicks(handle));
  if (result.inserted !== opts.rows) throw new Error(`the seed inserted ${result.inserted} rows, not ${opts.rows}`);
  const indexes = await verifyIndexes(handle, expectedIndexes);
  opts.log(
    `  ${indexes.definitions} index definitions of audit_logs and its partitions identical to the migrated schema, all valid`,
  );

  opts.log("VACUUM (ANALYZE) audit_logs...");
  const vacuumStarted = performance.now();
  // A freshly loaded table has no visibility map: without it every index-only scan (the capped
  // counts) visits the heap. Autovacuum would do this on its own, in the middle of the
  // measurements; doing it now keeps it out of them.
  const vacuumCpu = await withBackendCpu(handle, (conn) => conn.unsafe("vacuum (analyze) audit_logs"));
  const vacuumAnalyzeMs = performance.now() - vacuumStarted;
  if (seedCpu !== null) opts.log(`  database CPU: seed ${seedCpu} s, VACUUM ANALYZE ${vacuumCpu ?? "?"} s`);

  const meta: DatasetMeta = {
    version: DATASET_VERSION,
    rows: opts.rows,
    orgs: opts.orgs,
    seed: opts.seed,
    days: DATASET_DAYS,
    now: now.toISOString(),
    builtAt: new Date().toISOString(),
  };
  await writeMeta(handle, meta);
  const totalMs = performance.now() - started;
  return datasetOf(meta, false, {
    seedMs,
    rowsPerSecond: Math.round(opts.rows / (seedMs / 1000)),
    vacuumAnalyzeMs,
    cpu: { seed: seedCpu, vacuumAnalyze: vacuumCpu },
    totalMs,
    indexes,
  });
}

/**
 * Removes what benchmark runs added to the data set (ingested events, the console's own audit
 * entries for sign-ins and exports, idempotency keys, export tokens): everything newer than the
 * seed's `now`, which no seeded entry is. Every run then measures the same data set.
 */
export async function removeRunResidue(
  handle: DatabaseHandle & { kind: "postgres" },
  meta: DatasetMeta,
): Promise<number> {
  const removed = await handle.sql`delete from audit_logs where occurred_at > ${meta.now}::timestamptz`;
  await handle.sql`delete from audit_idempotency where created_at > ${meta.now}::timestamptz`;
  await handle.sql`delete from export_tokens`;
  // The run's ingested actors (ingest.user…@bench.test), seen only after the data set's `now`.
  await handle.sql`delete from audit_log_actors where last_seen_at > ${meta.now}::timestamptz`;
  // The notification phase's rules, channel, messages and matcher cursors.
  await handle.sql`delete from notification_rules`;
  await handle.sql`delete from notification_channels`;
  await handle.sql`delete from consumer_cursors where consumer = 'notifications'`;
  // Keeps the visibility map complete (index-only counts) and the statistics those of the data set.
  if (removed.count > 0) await handle.sql.unsafe("vacuum (analyze) audit_logs");
  return removed.count;
}
