import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { queryRows } from "@/db/client";
import { archiveSettings, auditLogs, auditLogsArchive, retentionApplied, retentionPolicies } from "@/db/schema";
import { auditCategory, type AuditCategory } from "@/db/schema/enums";
import { seedDemoAccounts, type SeededDemoAccounts } from "@/db/seed/demo-accounts";
import { NO_PERMISSION_TEXT } from "@/lib/auth/messages";
import { detachPartition, listPartitions } from "@/lib/retention/partitions";
import { DAY_MS, retentionBounds } from "@/lib/retention/policy";
import { consoleServerHeaders } from "../helpers/console-server-headers";
import { overrideEnv, resetEnv } from "../helpers/env-override";
import { hourlyRollupMismatches } from "../helpers/hourly-rollup";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * The retention run and the retention settings against a real database (PGlite, or the server
 * named by TEST_DATABASE_URL). Every expectation about which rows go is computed here, in plain
 * JavaScript, from the rows this file inserted and the policy it set, and compared id for id.
 * For the settings action only the session, request headers and revalidatePath are replaced.
 */

const session = new AsyncLocalStorage<string | null>();
const SITE = consoleServerHeaders("console.test", "198.51.100.9");
const requestHeaders = { current: new Headers(SITE) };

vi.mock("@/lib/auth/auth", () => ({
  auth: async () => {
    const id = session.getStore();
    return id ? { user: { id }, expires: new Date(Date.now() + 3_600_000).toISOString() } : null;
  },
}));
vi.mock("next/headers", () => ({ headers: async () => requestHeaders.current }));
vi.mock("@/lib/env", () => import("../helpers/env-override"));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

const { runRetention } = await import("@/lib/retention/run-retention");
const { retentionBannerInfo } = await import("@/lib/retention/banner-info");
const { saveRetentionSettings } = await import("@/app/orgs/[org]/settings/retention/lib/actions");
const { CrossOriginActionError } = await import("@/lib/security/same-origin");

const BOUNDS = retentionBounds({});
const NOW = new Date();
// Ages in days, each with a few hours added so that no row sits exactly on a cutoff. 900 days is
// older than every partition (the default partition); 3000 only occurs in the archive.
const AGES = [0, 2, 29, 31, 60, 89, 91, 150, 179, 181, 250, 364, 366, 400, 500, 700, 900];
const SECURITY: readonly AuditCategory[] = ["auth", "user", "organization", "audit", "secret", "vpn"];

let testDb: TestDatabase;
let seeded: SeededDemoAccounts;

interface SeedRow {
  id: string;
  orgId: string;
  category: AuditCategory;
  occurredAt: Date;
}

type Policy = Partial<Record<AuditCategory, number>>;

const db = () => testDb.handle.db;

function defaultDays(category: AuditCategory): number {
  return SECURITY.includes(category) ? 365 : 90;
}

function daysOf(policy: Policy, category: AuditCategory): number {
  return policy[category] ?? defaultDays(category);
}

function isExpired(row: SeedRow, policies: Record<string, Policy>, extraDays = 0): boolean {
  const days = daysOf(policies[row.orgId] ?? {}, row.category) + extraDays;
  return row.occurredAt.getTime() < NOW.getTime() - days * DAY_MS;
}

/** The same rows (ids included) every time: a "copy of the same data" for comparing runs. */
function makeRows(): SeedRow[] {
  const rows: SeedRow[] = [];
  let i = 0;
  for (const orgId of [seeded.orgs.acme, seeded.orgs.globex]) {
    for (const category of auditCategory.enumValues) {
      for (const age of AGES) {
        for (const copy of [0, 1]) {
          i++;
          const hours = 3 + ((i * 7) % 17);
          rows.push({
            id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
            orgId,
            category,
            occurredAt: new Date(NOW.getTime() - age * DAY_MS - hours * 3_600_000 - copy * 60_000),
          });
        }
      }
    }
  }
  return rows;
}

let ROWS: SeedRow[] = [];

async function resetData(): Promise<void> {
  const h = db();
  await h.execute(sql`delete from audit_logs`);
  await h.execute(sql`delete from audit_logs_archive`);
  await h.delete(retentionPolicies);
  await h.delete(archiveSettings);
  await h.delete(retentionApplied);
  // Partitions a previous run dropped come back; 30 months so that most seeded months have one.
  for (const parent of ["audit_logs", "audit_logs_archive"]) {
    await h.execute(
      sql`select audit_ensure_partitions(${parent}, (now() - interval '30 months')::date, (now() + interval '3 months')::date)`,
    );
  }
  for (let i = 0; i < ROWS.length; i += 500) {
    await h.insert(auditLogs).values(
      ROWS.slice(i, i + 500).map((r) => ({
        id: r.id,
        orgId: r.orgId,
        category: r.category,
        occurredAt: r.occurredAt,
        action: "seeded",
        result: "done" as const,
        actorEmail: `${r.category}@example.test`,
        params: { seq: r.id.slice(-4) },
        ip: "192.0.2.1",
      })),
    );
  }
}

async function setPolicy(orgId: string, policy: Policy, archive?: { enabled: boolean; days?: number }): Promise<void> {
  const entries = Object.entries(policy) as [AuditCategory, number][];
  if (entries.length)
    await db()
      .insert(retentionPolicies)
      .values(entries.map(([category, days]) => ({ orgId, category, days })));
  if (archive)
    await db()
      .insert(archiveSettings)
      .values({ orgId, enabled: archive.enabled, archiveDays: archive.days ?? 2557 });
}

async function idsIn(table: typeof auditLogs | typeof auditLogsArchive, action = "seeded"): Promise<string[]> {
  const rows = await db().select({ id: table.id }).from(table).where(eq(table.action, action));
  return rows.map((r) => r.id).sort();
}

const sorted = (ids: Iterable<string>) => [...ids].sort();

async function retentionEntries(orgId: string) {
  return db()
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.orgId, orgId), eq(auditLogs.action, "retention_run")))
    .orderBy(desc(auditLogs.occurredAt));
}

async function attachedPartitions(parent: string): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    db(),
    sql`select c.relname::text as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = to_regclass(${parent})`,
  );
  return rows.map((r) => r.name).sort();
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  seeded = await seedDemoAccounts(testDb.handle.db);
  ROWS = makeRows();
});

afterAll(async () => {
  await testDb?.drop();
});

describe("the retention run", () => {
  beforeEach(resetData);
  // Deletes, archive moves and partition drops all keep the hourly roll-up equal to the log.
  afterEach(async () => {
    expect(await hourlyRollupMismatches(db())).toEqual([]);
  });

  it("deletes exactly the rows past their category's retention, per organization, and no others", async () => {
    const policies = { [seeded.orgs.acme]: { auth: 180, service: 30, backup: 365 }, [seeded.orgs.globex]: {} };
    await setPolicy(seeded.orgs.acme, policies[seeded.orgs.acme]!);

    const report = await runRetention(testDb.handle, { now: NOW, bounds: BOUNDS, batchSize: 13 });

    const kept = ROWS.filter((r) => !isExpired(r, policies));
    const expired = ROWS.filter((r) => isExpired(r, policies));
    expect(expired.length).toBeGreaterThan(100);
    expect(kept.length).toBeGreaterThan(100);
    expect(await idsIn(auditLogs)).toEqual(sorted(kept.map((r) => r.id)));
    expect(await idsIn(auditLogsArchive)).toEqual([]);

    // The report and the audit entries count the same rows per organization and category.
    for (const org of report.orgs) {
      for (const category of auditCategory.enumValues) {
        const expected = expired.filter((r) => r.orgId === org.orgId && r.category === category).length;
        expect(org.counts[category], `${org.slug} ${category}`).toEqual({
          deleted: expected,
          archived: 0,
          archivePurged: 0,
        });
      }
      const entries = await retentionEntries(org.orgId);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        category: "audit",
        actorId: null,
        actorName: null,
        actorEmail: null,
        result: "done",
        level: "notice",
      });
      const params = entries[0]!.params as { counts: Record<string, { deleted: number }>; totals: { deleted: number } };
      expect(params.totals.deleted).toBe(expired.filter((r) => r.orgId === org.orgId).length);
      expect(params.counts.service!.deleted).toBe(org.counts.service.deleted);
    }
  });

  it("moves exactly the expired rows to the archive when it is on, unchanged", async () => {
    const policies = { [seeded.orgs.acme]: { vpn: 400 }, [seeded.orgs.globex]: {} };
    await setPolicy(seeded.orgs.acme, policies[seeded.orgs.acme]!, { enabled: true });

    const report = await runRetention(testDb.handle, { now: NOW, bounds: BOUNDS, batchSize: 50 });

    const expired = ROWS.filter((r) => isExpired(r, policies));
    const acmeExpired = expired.filter((r) => r.orgId === seeded.orgs.acme);
    expect(await idsIn(auditLogsArchive)).toEqual(sorted(acmeExpired.map((r) => r.id)));
    expect(await idsIn(auditLogs)).toEqual(sorted(ROWS.filter((r) => !isExpired(r, policies)).map((r) => r.id)));

    const acme = report.orgs.find((o) => o.orgId === seeded.orgs.acme)!;
    expect(acme.totals).toEqual({ deleted: 0, archived: acmeExpired.length, archivePurged: 0 });

    // Every column survives the move.
    const sample = acmeExpired[0]!;
    const [archived] = await db().select().from(auditLogsArchive).where(eq(auditLogsArchive.id, sample.id));
    expect(archived).toMatchObject({
      orgId: sample.orgId,
      category: sample.category,
      occurredAt: sample.occurredAt,
      action: "seeded",
      actorEmail: `${sample.category}@example.test`,
      params: { seq: sample.id.slice(-4) },
      ip: "192.0.2.1",
    });
    expect(archived!.archivedAt).toBeInstanceOf(Date);
  });

  it("ends in the same state when killed between batches and run again, at any batch", async () => {
    const policies = { [seeded.orgs.acme]: { auth: 120 }, [seeded.orgs.globex]: { service: 45 } };
    const configure = async () => {
      await setPolicy(seeded.orgs.acme, policies[seeded.orgs.acme]!, { enabled: true, days: 400 });
      await setPolicy(seeded.orgs.globex, policies[seeded.orgs.globex]!);
    };

    // The uninterrupted run over the same data is the reference.
    await configure();
    await runRetention(testDb.handle, { now: NOW, bounds: BOUNDS, batchSize: 7 });
    const reference = { live: await idsIn(auditLogs), archive: await idsIn(auditLogsArchive) };
    expect(reference.archive.length).toBeGreaterThan(0);

    for (const killAfter of [1, 2, 9, 40]) {
      await resetData();
      await configure();
      const seen: string[] = [];
      await expect(
        runRetention(testDb.handle, {
          now: NOW,
          bounds: BOUNDS,
          batchSize: 7,
          onBatch: (info) => {
            seen.push(info.phase);
            if (info.batch === killAfter) throw new Error("killed");
          },
        }),
      ).rejects.toThrow("killed");
      // Mid-way: every row is in exactly one place.
      const live = await idsIn(auditLogs);
      const archive = await idsIn(auditLogsArchive);
      expect(
        live.filter((id) => archive.includes(id)),
        `kill after ${killAfter}`,
      ).toEqual([]);
      expect(sorted([...live, ...archive]).length).toBeGreaterThanOrEqual(
        reference.live.length + reference.archive.length,
      );

      await runRetention(testDb.handle, { now: NOW, bounds: BOUNDS, batchSize: 7 });
      expect(await idsIn(auditLogs), `kill after ${killAfter}`).toEqual(reference.live);
      expect(await idsIn(auditLogsArchive), `kill after ${killAfter}`).toEqual(reference.archive);
      const [dups] = await queryRows<{ n: number }>(
        db(),
        sql`select (count(*) - count(distinct id))::int as n from audit_logs_archive`,
      );
      expect(Number(dups!.n)).toBe(0);
    }
  });

  it("is idempotent: a second run changes nothing", async () => {
    await setPolicy(seeded.orgs.acme, { auth: 100 }, { enabled: true });
    await runRetention(testDb.handle, { now: NOW, bounds: BOUNDS });
    const first = { live: await idsIn(auditLogs), archive: await idsIn(auditLogsArchive) };
    const again = await runRetention(testDb.handle, { now: NOW, bounds: BOUNDS });
    expect({ live: await idsIn(auditLogs), archive: await idsIn(auditLogsArchive) }).toEqual(first);
    expect(again.orgs.every((o) => o.totals.deleted + o.totals.archived + o.totals.archivePurged === 0)).toBe(true);
    // One entry per organization per run, the quiet one at level information.
    const entries = await retentionEntries(seeded.orgs.acme);
    expect(entries).toHaveLength(2);
    expect(entries[0]!.level).toBe("information");
  });

  it("two runs at once both finish without an error and leave what one run leaves", async () => {
    await setPolicy(seeded.orgs.acme, { auth: 90, service: 120 }, { enabled: true });
    const reports = await Promise.all([
      runRetention(testDb.handle, { now: NOW, bounds: BOUNDS, batchSize: 11 }),
      runRetention(testDb.handle, { now: NOW, bounds: BOUNDS, batchSize: 11 }),
    ]);
    // One applies the policy; the other waits its turn out ("skipped") or finds nothing left to do.
    expect(reports.map((r) => r.status)).toContain("done");
    for (const report of reports) expect(["done", "skipped"]).toContain(report.status);
    const after = { live: await idsIn(auditLogs), archive: await idsIn(auditLogsArchive) };
    const again = await runRetention(testDb.handle, { now: NOW, bounds: BOUNDS });
    expect(again.status).toBe("done");
    expect(again.orgs.every((o) => o.totals.deleted + o.totals.archived + o.totals.archivePurged === 0)).toBe(true);
    expect({ live: await idsIn(auditLogs), archive: await idsIn(auditLogsArchive) }).toEqual(after);
  });

  it("deletes archived rows at the end of the archive period, for organizations with the archive off too", async () => {
    const acmePolicy = { auth: 100 };
    await setPolicy(seeded.orgs.acme, acmePolicy, { enabled: true, days: 200 });
    // Globex archived once and turned the archive off: its archive still expires (default 2,557 days).
    await setPolicy(seeded.orgs.globex, {}, { enabled: false });
    const oldArchived = [3000, 2000].map((age) => ({
      id: randomUUID(),
      orgId: seeded.orgs.globex,
      category: "service" as const,
      occurredAt: new Date(NOW.getTime() - age * DAY_MS),
      action: "seeded",
      result: "done" as const,
    }));
    await db().insert(auditLogsArchive).values(oldArchived);

    const report = await runRetention(testDb.handle, { now: NOW, bounds: BOUNDS, batchSize: 11 });

    const policies = { [seeded.orgs.acme]: acmePolicy, [seeded.orgs.globex]: {} };
    const acmeRows = ROWS.filter((r) => r.orgId === seeded.orgs.acme);
    const inArchive = acmeRows.filter((r) => isExpired(r, policies) && !isExpired(r, policies, 200));
    const purged = acmeRows.filter((r) => isExpired(r, policies, 200));
    expect(purged.length).toBeGreaterThan(0);
    expect(await idsIn(auditLogsArchive)).toEqual(sorted([...inArchive.map((r) => r.id), oldArchived[1]!.id]));
    const acme = report.orgs.find((o) => o.orgId === seeded.orgs.acme)!;
    // Rows that expire past the archive period in the same run pass through the archive.
    expect(acme.totals.archived).toBe(inArchive.length + purged.length);
    expect(acme.totals.archivePurged).toBe(purged.length);
    expect(report.orgs.find((o) => o.orgId === seeded.orgs.globex)!.counts.service.archivePurged).toBe(1);
  });

  it("drops whole expired partitions, and never one that holds a retained row", async () => {
    const before = await attachedPartitions("audit_logs");
    const report = await runRetention(testDb.handle, { now: NOW, bounds: BOUNDS });
    const policies = { [seeded.orgs.acme]: {}, [seeded.orgs.globex]: {} };
    expect(await idsIn(auditLogs)).toEqual(sorted(ROWS.filter((r) => !isExpired(r, policies)).map((r) => r.id)));

    // Defaults: nothing is kept longer than 365 days, so months ending before then go whole.
    const globalCutoff = NOW.getTime() - 365 * DAY_MS;
    const after = await attachedPartitions("audit_logs");
    const dropped = before.filter((p) => !after.includes(p));
    expect(dropped.length).toBeGreaterThan(3);
    expect(report.partitionsDropped).toHaveLength(dropped.length);
    for (const name of dropped) {
      const m = /_p(\d{4})(\d{2})$/.exec(name)!;
      const end = Date.UTC(Number(m[1]), Number(m[2]), 1); // month m+1, 0-based
      expect(end, name).toBeLessThanOrEqual(globalCutoff);
    }
    expect(after).toContain("audit_logs_default");
    // Nothing left behind under the detached name.
    const leftovers = await queryRows<{ n: number }>(
      db(),
      sql`select count(*)::int as n from pg_class where relname ~ '^audit_logs_expired_'`,
    );
    expect(Number(leftovers[0]!.n)).toBe(0);

    // One category kept for ten years pins every partition: nothing is dropped, rows still go.
    await resetData();
    await setPolicy(seeded.orgs.globex, { audit: 3650 });
    const pinned = await runRetention(testDb.handle, { now: NOW, bounds: BOUNDS });
    expect(pinned.partitionsDropped).toEqual([]);
    const pinnedPolicies = { [seeded.orgs.acme]: {}, [seeded.orgs.globex]: { audit: 3650 } };
    expect(await idsIn(auditLogs)).toEqual(sorted(ROWS.filter((r) => !isExpired(r, pinnedPolicies)).map((r) => r.id)));
  });

  it("finishes a partition that a killed run detached but did not drop, archiving what must be archived", async () => {
    await setPolicy(seeded.orgs.acme, {}, { enabled: true });
    const partitions = await attachedPartitions("audit_logs");
    const month = new Date(NOW.getTime() - 500 * DAY_MS);
    const name = `audit_logs_p${month.getUTCFullYear()}${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
    expect(partitions).toContain(name);
    const detached = `audit_logs_expired_${month.getUTCFullYear()}${String(month.getUTCMonth() + 1).padStart(2, "0")}01`;
    // What a run does before it drops the partition: the run is killed right after this.
    const partition = (await listPartitions(db(), "audit_logs")).find((p) => p.name === name)!;
    expect(await detachPartition(db(), "audit_logs", partition, { lockTimeoutMs: 2000, attempts: 1 })).toBe(detached);

    await runRetention(testDb.handle, { now: NOW, bounds: BOUNDS });

    const policies = { [seeded.orgs.acme]: {}, [seeded.orgs.globex]: {} };
    const expired = ROWS.filter((r) => isExpired(r, policies));
    expect(await idsIn(auditLogs)).toEqual(sorted(ROWS.filter((r) => !isExpired(r, policies)).map((r) => r.id)));
    expect(await idsIn(auditLogsArchive)).toEqual(
      sorted(expired.filter((r) => r.orgId === seeded.orgs.acme).map((r) => r.id)),
    );
    const leftovers = await queryRows<{ n: number }>(
      db(),
      sql`select count(*)::int as n from pg_class where relname = ${detached}`,
    );
    expect(Number(leftovers[0]!.n)).toBe(0);
  });

  it("applies a raised legal minimum over a shorter saved value", async () => {
    await setPolicy(seeded.orgs.acme, { auth: 100 });
    await runRetention(testDb.handle, { now: NOW, bounds: retentionBounds({ RETENTION_MIN_DAYS_SECURITY: "450" }) });
    const policies = {
      [seeded.orgs.acme]: { auth: 450, user: 450, organization: 450, audit: 450, secret: 450, vpn: 450 },
    };
    policies[seeded.orgs.globex] = { ...policies[seeded.orgs.acme]! };
    expect(await idsIn(auditLogs)).toEqual(sorted(ROWS.filter((r) => !isExpired(r, policies)).map((r) => r.id)));
  });
});

describe("the explorer's retention banner", () => {
  beforeEach(resetData);

  const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS);
  const iso = (days: number) => daysAgo(days).toISOString();

  async function liveRowsBefore(orgId: string, category: AuditCategory, before: Date): Promise<number> {
    const rows = await db()
      .select({ id: auditLogs.id })
      .from(auditLogs)
      .where(
        and(
          eq(auditLogs.orgId, orgId),
          eq(auditLogs.category, category),
          eq(auditLogs.action, "seeded"),
          sql`${auditLogs.occurredAt} < ${before.toISOString()}::timestamptz`,
        ),
      );
    return rows.length;
  }

  it("never says entries are gone before a run removed them, then says what the run removed", async () => {
    await setPolicy(seeded.orgs.acme, { service: 90 });
    const options = { from: daysAgo(400), categories: ["service", "auth"] as AuditCategory[], now: NOW };

    // The policy was never applied: the entries are still there, and the banner says so.
    expect(await liveRowsBefore(seeded.orgs.acme, "service", daysAgo(90))).toBeGreaterThan(0);
    const before = await retentionBannerInfo(seeded.orgs.acme, { ...options, scheduled: false });
    expect(before.removedCategories).toEqual([]);
    expect(before.pendingCategories).toEqual([
      { category: "service", from: null, cutoff: iso(90), days: 90 },
      { category: "auth", from: null, cutoff: iso(365), days: 365 },
    ]);
    expect(before.scheduled).toBe(false);

    const report = await runRetention(testDb.handle, { now: NOW });
    expect(report.status).toBe("done");
    expect(await liveRowsBefore(seeded.orgs.acme, "service", daysAgo(90))).toBe(0);
    const [applied] = await db()
      .select()
      .from(retentionApplied)
      .where(and(eq(retentionApplied.orgId, seeded.orgs.acme), eq(retentionApplied.category, "service")));
    const acme = report.orgs.find((o) => o.orgId === seeded.orgs.acme)!;
    expect(applied).toMatchObject({ liveCutoff: daysAgo(90), removed: acme.counts.service.deleted });
    expect(applied!.removed).toBeGreaterThan(0);

    const after = await retentionBannerInfo(seeded.orgs.acme, { ...options, scheduled: false });
    expect(after.pendingCategories).toEqual([]);
    expect(after.removedCategories).toEqual([
      { category: "service", cutoff: iso(90), days: 90, ranAt: applied!.ranAt.toISOString() },
      { category: "auth", cutoff: iso(365), days: 365, ranAt: applied!.ranAt.toISOString() },
    ]);
    // A period that does not reach the cutoff has nothing to say.
    const recent = await retentionBannerInfo(seeded.orgs.acme, { ...options, from: daysAgo(30) });
    expect(recent.removedCategories).toEqual([]);
    expect(recent.pendingCategories).toEqual([]);
  });

  it("after the policy is shortened, says what the last run removed and what waits for the next", async () => {
    await setPolicy(seeded.orgs.acme, { service: 90 });
    await runRetention(testDb.handle, { now: NOW });
    await db().delete(retentionPolicies);
    await setPolicy(seeded.orgs.acme, { service: 30 });
    const info = await retentionBannerInfo(seeded.orgs.acme, {
      from: daysAgo(400),
      categories: ["service"],
      now: NOW,
      scheduled: true,
    });
    expect(info.removedCategories.map((c) => [c.category, c.cutoff, c.days])).toEqual([["service", iso(90), 30]]);
    expect(info.pendingCategories).toEqual([{ category: "service", from: iso(90), cutoff: iso(30), days: 30 }]);
    // Entries between the two cutoffs are indeed still there.
    expect(await liveRowsBefore(seeded.orgs.acme, "service", daysAgo(30))).toBeGreaterThan(0);

    // A later run under a longer retention does not move the cutoff back: those entries stay gone.
    await runRetention(testDb.handle, { now: NOW });
    await db().delete(retentionPolicies);
    await setPolicy(seeded.orgs.acme, { service: 365 });
    await runRetention(testDb.handle, { now: NOW });
    const later = await retentionBannerInfo(seeded.orgs.acme, {
      from: daysAgo(400),
      categories: ["service"],
      now: NOW,
    });
    expect(later.removedCategories.map((c) => c.cutoff)).toEqual([iso(30)]);
    expect(later.pendingCategories).toEqual([]);
  });

  it("in the archive, speaks of what the run deleted from it, and links nothing of the live log", async () => {
    await setPolicy(seeded.orgs.acme, { service: 30 }, { enabled: true, days: 60 });
    const options = { from: daysAgo(400), categories: ["service"] as AuditCategory[], now: NOW };
    const pending = await retentionBannerInfo(seeded.orgs.acme, { ...options, scope: "archive" });
    expect(pending.removedCategories).toEqual([]);
    expect(pending.pendingCategories).toEqual([{ category: "service", from: null, cutoff: iso(90), days: 90 }]);
    await runRetention(testDb.handle, { now: NOW });
    const archived = await retentionBannerInfo(seeded.orgs.acme, { ...options, scope: "archive" });
    expect(archived.removedCategories.map((c) => [c.cutoff, c.days])).toEqual([[iso(90), 90]]);
    expect(archived.pendingCategories).toEqual([]);
    const live = await retentionBannerInfo(seeded.orgs.acme, options);
    expect(live.archiveEnabled).toBe(true);
    expect(live.removedCategories.map((c) => [c.cutoff, c.days])).toEqual([[iso(30), 30]]);
  });

  it("a run that another run's lock skipped records nothing", async () => {
    await setPolicy(seeded.orgs.globex, { auth: 100 });
    const [first, second] = await Promise.all([
      runRetention(testDb.handle, { now: NOW }),
      runRetention(testDb.handle, { now: NOW }),
    ]);
    expect([first.status, second.status].sort()).toEqual(["done", "skipped"]);
    const rows = await db().select().from(retentionApplied).where(eq(retentionApplied.orgId, seeded.orgs.globex));
    expect(rows).toHaveLength(auditCategory.enumValues.length);
  });
});

describe("the retention settings action", () => {
  const userId = (email: string) => seeded.users[email]!;
  const as = <T>(email: string, fn: () => Promise<T>) => session.run(userId(email), fn);

  function form(
    values: Partial<Record<AuditCategory, string>>,
    archive = { enabled: false, period: "7", unit: "years" },
    org = "acme",
  ) {
    const f = new FormData();
    f.set("orgSlug", org);
    for (const category of auditCategory.enumValues)
      f.set(`days.${category}`, values[category] ?? String(defaultDays(category)));
    if (archive.enabled) f.set("archiveEnabled", "on");
    f.set("archivePeriod", archive.period);
    f.set("archiveUnit", archive.unit);
    return f;
  }

  async function stored(orgId: string) {
    const policies = await db().select().from(retentionPolicies).where(eq(retentionPolicies.orgId, orgId));
    const archive = await db().select().from(archiveSettings).where(eq(archiveSettings.orgId, orgId));
    return {
      policies: Object.fromEntries(policies.map((p) => [p.category, p.days])),
      archive: archive.map((a) => ({ enabled: a.enabled, archiveDays: a.archiveDays })),
    };
  }

  const settingsEntries = (orgId: string) =>
    db()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.orgId, orgId), eq(auditLogs.action, "update_retention")));

  beforeEach(async () => {
    await db().delete(retentionPolicies);
    await db().delete(archiveSettings);
    await db().execute(sql`delete from audit_logs where action = 'update_retention'`);
    requestHeaders.current = new Headers(SITE);
  });
  afterEach(() => {
    resetEnv();
  });

  it("saves a valid policy and writes an audit entry with the values before and after", async () => {
    const result = await as("admin@acme.test", () =>
      saveRetentionSettings(null, form({ auth: "400", service: "30" }, { enabled: true, period: "10", unit: "years" })),
    );
    expect(result).toMatchObject({ data: { changed: true } });
    const acme = seeded.orgs.acme;
    const now = await stored(acme);
    expect(now.policies).toMatchObject({ auth: 400, service: 30, user: 365, infra: 90 });
    expect(Object.keys(now.policies)).toHaveLength(16);
    expect(now.archive).toEqual([{ enabled: true, archiveDays: 3653 }]);

    const [entry, ...more] = await settingsEntries(acme);
    expect(more).toHaveLength(0);
    expect(entry).toMatchObject({
      category: "audit",
      level: "notice",
      result: "done",
      actorEmail: "admin@acme.test",
      ip: "198.51.100.9",
      params: { changed: ["service", "auth", "archive.enabled", "archive.days"] },
      before: { retentionDays: { auth: 365, service: 90 }, archive: { enabled: false, days: 2557 } },
      after: { retentionDays: { auth: 400, service: 30 }, archive: { enabled: true, days: 3653 } },
    });

    // Saving the same values again changes nothing and writes nothing.
    const again = await as("admin@acme.test", () =>
      saveRetentionSettings(
        null,
        form({ auth: "400", service: "30" }, { enabled: true, period: "3653", unit: "days" }),
      ),
    );
    expect(again).toMatchObject({ data: { changed: false } });
    expect(await settingsEntries(acme)).toHaveLength(1);
  });

  it("refuses the whole submission when any value is outside its range, naming each field", async () => {
    await as("admin@acme.test", () => saveRetentionSettings(null, form({ auth: "200" })));
    const before = await stored(seeded.orgs.acme);
    const entriesBefore = (await settingsEntries(seeded.orgs.acme)).length;

    const cases: [
      Partial<Record<AuditCategory, string>>,
      { enabled: boolean; period: string; unit: string },
      string[],
    ][] = [
      [{ auth: "89", service: "60" }, { enabled: false, period: "7", unit: "years" }, ["days.auth"]],
      [
        { service: "29", device: "3651" },
        { enabled: false, period: "7", unit: "years" },
        ["days.service", "days.device"],
      ],
      [{ user: "abc", vpn: "" }, { enabled: false, period: "7", unit: "years" }, ["days.user", "days.vpn"]],
      [{ webhook: "12.5" }, { enabled: true, period: "11", unit: "years" }, ["days.webhook", "archivePeriod"]],
      [{}, { enabled: true, period: "29", unit: "days" }, ["archivePeriod"]],
    ];
    for (const [values, archive, fields] of cases) {
      const result = await as("admin@acme.test", () => saveRetentionSettings(null, form(values, archive)));
      expect(result?.error, JSON.stringify(values)).toMatch(/^Nothing was saved/);
      expect(Object.keys(result?.fieldErrors ?? {}).sort()).toEqual([...fields].sort());
      expect(await stored(seeded.orgs.acme)).toEqual(before);
    }
    const refused = await as("admin@acme.test", () => saveRetentionSettings(null, form({ auth: "89" })));
    expect(refused?.fieldErrors?.["days.auth"]).toBe("Auth: enter a whole number of days from 90 to 3,650.");
    expect(await settingsEntries(seeded.orgs.acme)).toHaveLength(entriesBefore);
  });

  it("enforces a minimum raised by the deployment", async () => {
    overrideEnv({ RETENTION_MIN_DAYS_SECURITY: 400 });
    const result = await as("admin@acme.test", () =>
      saveRetentionSettings(
        null,
        form({ auth: "400", user: "399", audit: "400", organization: "400", secret: "400", vpn: "400" }),
      ),
    );
    expect(result?.fieldErrors).toEqual({ "days.user": "User: enter a whole number of days from 400 to 3,650." });
    expect(await stored(seeded.orgs.acme)).toEqual({ policies: {}, archive: [] });
  });

  it("refuses people without audit.manage, and changes nothing", async () => {
    for (const email of ["member@acme.test", "manager@acme.test"]) {
      const result = await as(email, () => saveRetentionSettings(null, form({ auth: "400" })));
      expect(result, email).toEqual({ error: NO_PERMISSION_TEXT });
    }
    // Another organization's manager cannot reach Acme at all.
    const outsider = await as("auditor@globex.test", () => saveRetentionSettings(null, form({ auth: "400" })));
    expect(outsider).toEqual({ error: "Organization not found." });
    expect(await stored(seeded.orgs.acme)).toEqual({ policies: {}, archive: [] });
    expect(await settingsEntries(seeded.orgs.acme)).toHaveLength(0);
  });

  it("refuses a request from another site before anything else", async () => {
    requestHeaders.current = new Headers({ ...SITE, origin: "https://evil.test" });
    await expect(
      as("admin@acme.test", () => saveRetentionSettings(null, form({ auth: "400" }))),
    ).rejects.toBeInstanceOf(CrossOriginActionError);
    expect(await stored(seeded.orgs.acme)).toEqual({ policies: {}, archive: [] });
  });
});
