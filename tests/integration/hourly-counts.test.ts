import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { auditLogs } from "@/db/schema";
import { auditCategory, auditLevel, auditResult } from "@/db/schema/enums";
import { seedDemoAccounts } from "@/db/seed/demo-accounts";
import { countMatching } from "@/lib/audit-log/counts";
import { foldHourlyCounts, readHourlyCounts, rollupAnswers, splitAtHours } from "@/lib/audit-log/hourly-counts";
import { readSearchInsights } from "@/lib/audit-log/insights";
import { selectionFromParams } from "@/lib/audit-log/selection";
import { hourlyRollupMismatches } from "../helpers/hourly-rollup";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * The hourly roll-up that answers the explorer's default histogram: kept equal to the log by its
 * triggers through inserts, updates, deletes, concurrent writers and folding, and read so that
 * every bucket is what the explorer counts for the same search (whole hours from the roll-up,
 * the part-hours at the period's ends from the log).
 */

const NOW = new Date("2026-11-20T10:37:12.345Z");
const HOUR = 3_600_000;

let testDb: TestDatabase;
let orgId: string;
let otherOrgId: string;

const db = () => testDb.handle.db;

function rows(org: string, count: number, seed: number) {
  return Array.from({ length: count }, (_, i) => {
    const k = seed * 7919 + i * 104_729;
    return {
      id: randomUUID(),
      orgId: org,
      occurredAt: new Date(NOW.getTime() - (k % (9 * 24 * HOUR))),
      category: auditCategory.enumValues[k % auditCategory.enumValues.length]!,
      result: auditResult.enumValues[(k >> 3) % auditResult.enumValues.length]!,
      level: auditLevel.enumValues[(k >> 5) % auditLevel.enumValues.length]!,
      action: "seeded",
      ip: "192.0.2.1",
    };
  });
}

async function insert(org: string, count: number, seed: number): Promise<void> {
  const all = rows(org, count, seed);
  for (let i = 0; i < all.length; i += 400)
    await db()
      .insert(auditLogs)
      .values(all.slice(i, i + 400));
}

async function exactCount(raw: Record<string, string>): Promise<number> {
  const { selection } = selectionFromParams(orgId, raw, NOW);
  const count = await countMatching(selection, { cap: null });
  return count.exact ? count.count : -1;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  const seeded = await seedDemoAccounts(db());
  orgId = seeded.orgs.acme;
  otherOrgId = seeded.orgs.globex;
}, 120_000);

afterAll(async () => {
  await testDb?.drop();
});

describe("the hourly roll-up", () => {
  it("stays equal to the log through inserts, updates, deletes and folds", async () => {
    await insert(orgId, 3000, 1);
    await insert(otherOrgId, 800, 2);
    expect(await hourlyRollupMismatches(db())).toEqual([]);

    // An update that moves rows to another category, result and hour (as tampering would).
    await db().execute(
      sql`update audit_logs set category = 'auth', result = 'failed', occurred_at = occurred_at - interval '90 minutes'
          where org_id = ${orgId} and id in (select id from audit_logs where org_id = ${orgId} order by id limit 250)`,
    );
    expect(await hourlyRollupMismatches(db())).toEqual([]);

    await db().execute(
      sql`delete from audit_logs where id in (select id from audit_logs where org_id = ${orgId} order by id desc limit 300)`,
    );
    expect(await hourlyRollupMismatches(db())).toEqual([]);

    const before = await queryRows<{ n: string | number }>(db(), sql`select count(*) as n from audit_log_hourly`);
    expect(await foldHourlyCounts(db())).toBeGreaterThan(0);
    const after = await queryRows<{ n: string | number; unfolded: string | number }>(
      db(),
      sql`select count(*) as n, count(*) filter (where not folded) as unfolded from audit_log_hourly`,
    );
    expect(Number(after[0]!.unfolded)).toBe(0);
    expect(Number(after[0]!.n)).toBeLessThan(Number(before[0]!.n));
    expect(await hourlyRollupMismatches(db())).toEqual([]);
    // Nothing left to fold.
    expect(await foldHourlyCounts(db())).toBe(0);
  }, 120_000);

  it("loses and doubles nothing while writers and folds run at once", async () => {
    await Promise.all([
      insert(orgId, 1200, 3),
      insert(orgId, 1200, 4),
      (async () => {
        for (let i = 0; i < 5; i++) await foldHourlyCounts(db());
      })(),
      foldHourlyCounts(db()),
    ]);
    await foldHourlyCounts(db());
    expect(await hourlyRollupMismatches(db())).toEqual([]);
  }, 120_000);

  it("answers the default view and type/result/level searches, and only those", () => {
    const plan = { sizeMs: HOUR, originMs: Date.UTC(2026, 10, 13) };
    const answers = (raw: Record<string, string>) =>
      rollupAnswers(selectionFromParams(orgId, raw, NOW).selection, plan);
    expect(answers({})).toBe(true);
    expect(answers({ period: "30d", type: "auth,vpn", result: "failed", q: "level:notice -type:secret" })).toBe(true);
    expect(answers({ q: "deploy" })).toBe(false);
    expect(answers({ q: "action:login" })).toBe(false);
    expect(answers({ user: "kim@acme.test" })).toBe(false);
    expect(answers({ scope: "archive" })).toBe(false);
    // Quarter-hour buckets, or a zone whose midnight is not a whole UTC hour, cannot be summed from hours.
    expect(rollupAnswers(selectionFromParams(orgId, {}, NOW).selection, { ...plan, sizeMs: HOUR / 4 })).toBe(false);
    expect(
      rollupAnswers(selectionFromParams(orgId, {}, NOW).selection, { ...plan, originMs: plan.originMs + HOUR / 2 }),
    ).toBe(false);
  });

  it("splits a period into whole hours and the part-hours at its ends", () => {
    expect(splitAtHours({ from: "2026-11-20T08:15:00.000Z", to: "2026-11-20T11:40:00.000Z" })).toEqual({
      hours: { from: "2026-11-20T09:00:00.000Z", to: "2026-11-20T11:00:00.000Z" },
      edges: [
        { from: "2026-11-20T08:15:00.000Z", to: "2026-11-20T09:00:00.000Z" },
        { from: "2026-11-20T11:00:00.000Z", to: "2026-11-20T11:40:00.000Z" },
      ],
    });
    expect(splitAtHours({ from: "2026-11-20T08:00:00.000Z", to: null })).toEqual({
      hours: { from: "2026-11-20T08:00:00.000Z", to: null },
      edges: [],
    });
    expect(splitAtHours({ from: "2026-11-20T08:15:00.000Z", to: "2026-11-20T08:50:00.000Z" })).toBeNull();
    expect(splitAtHours({ from: null, to: "2026-11-20T08:50:00.000Z" })).toBeNull();
  });

  it("every bucket read from the roll-up is the explorer's count of that bucket", async () => {
    const searches: Record<string, string>[] = [
      {},
      { period: "30d" },
      { period: "7d", type: "auth,service", result: "failed,done" },
      { period: "7d", q: "level:notice -type:auth" },
      { period: "custom", from: "2026-11-14T03:20:00.000Z", to: "2026-11-19T22:05:00.000Z" },
    ];
    for (const raw of searches) {
      const { selection } = selectionFromParams(orgId, raw, NOW);
      const insights = await readSearchInsights(selection, { now: NOW, facets: false });
      const hourly = await readHourlyCounts(db(), selection, insights.plan);
      expect(hourly, JSON.stringify(raw)).not.toBeNull();
      expect(insights.coverage.capped).toBe(false);
      const total = await exactCount(raw);
      expect(insights.coverage.counted, JSON.stringify(raw)).toBe(total);
      // Bucket by bucket, for the non-empty ones and one empty one (a bucket is a custom period).
      const checked = insights.buckets.filter((b) => b.total > 0).slice(0, 6);
      for (const bucket of checked) {
        const within = await exactCount({
          ...raw,
          period: "custom",
          from: new Date(Math.max(bucket.startMs, Date.parse(selection.params.range.from!))).toISOString(),
          to: new Date(
            Math.min(bucket.endMs, selection.params.range.to ? Date.parse(selection.params.range.to) : Infinity) - 1,
          ).toISOString(),
        });
        expect(bucket.total, `${JSON.stringify(raw)} at ${new Date(bucket.startMs).toISOString()}`).toBe(within);
      }
      // The category and level counts add up to the same total.
      const full = await readSearchInsights(selection, { now: NOW });
      expect(full.categories.values.reduce((n, v) => n + v.count, 0)).toBe(total);
      expect(full.levels.values.reduce((n, v) => n + v.count, 0)).toBe(total);
      // The histogram alone (the compact chart's reading) is the full reading's histogram.
      expect(insights.buckets, JSON.stringify(raw)).toEqual(full.buckets);
    }
  }, 120_000);
});
