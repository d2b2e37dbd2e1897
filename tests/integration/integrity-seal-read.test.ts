import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { auditLogs, organizations } from "@/db/schema";
import { leafRecordQuery, readLeafRecord } from "@/lib/integrity/canonical";
import { LEAF_RECORD, leafHashViews } from "@/lib/integrity/block";
import { inArrivalOrder } from "@/lib/worker/arrivals";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * A consumer of new entries (lib/worker/arrivals.ts; here sealing's read) reads each batch's rows
 * and no more, also when the statistics know nothing of the backlog (new entries always lie past
 * them until the table is analyzed again): the planner then expected a handful of rows and sorted
 * the whole backlog for every batch.
 */

let testDb: TestDatabase;
const db = () => testDb.handle.db;
const T0 = Date.UTC(2026, 10, 20, 12);
const KNOWN = 20;
const BACKLOG = 3_000;
const BLOCK = 100;
let orgId: string;

interface PlanNode {
  "Node Type": string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function insertEntries(from: number, count: number): Promise<void> {
  for (let start = from; start < from + count; start += 1_000) {
    const size = Math.min(1_000, from + count - start);
    await db()
      .insert(auditLogs)
      .values(
        Array.from({ length: size }, (_, k) => ({
          orgId,
          id: randomUUID(),
          occurredAt: new Date(T0 + (start + k) * 10),
          receivedAt: new Date(T0 + (start + k) * 10),
          category: "service" as const,
          action: "deploy",
          result: "done" as const,
        })),
      );
  }
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  const [org] = await db()
    .insert(organizations)
    .values({ slug: `seal-read-${randomUUID().slice(0, 8)}`, name: "Seal read" })
    .returning({ id: organizations.id });
  orgId = org!.id;
  await insertEntries(0, KNOWN);
  await db().execute(sql`analyze audit_logs`);
  // The backlog, after the statistics were taken.
  await insertEntries(KNOWN, BACKLOG);
});

afterAll(async () => {
  await testDb?.drop();
});

// The backlog's first entry: where the cursor stands after the entries the statistics know.
const newer = () =>
  sql`(received_at, id) > (${new Date(T0 + (KNOWN - 1) * 10).toISOString()}::timestamptz, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)`;

describe("sealing's read of a block", () => {
  it("reads only the block's rows from a backlog the statistics do not know, without a sort", async () => {
    const plan = await db().transaction(async (tx) => {
      const [row] = await inArrivalOrder(tx, () =>
        queryRows<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
          tx,
          sql`explain (analyze, format json) ${leafRecordQuery(orgId, newer(), BLOCK)}`,
        ),
      );
      return row!["QUERY PLAN"][0].Plan;
    });
    const all = nodes(plan);
    expect(all.map((n) => n["Node Type"])).not.toContain("Sort");
    const scanned = all
      .filter((n) => n["Relation Name"] !== undefined)
      .reduce((sum, n) => sum + (n["Actual Rows"] ?? 0) * (n["Actual Loops"] ?? 1), 0);
    // A merge of ordered scans reads at most one row past the block in each partition.
    expect(scanned).toBeGreaterThanOrEqual(BLOCK);
    expect(scanned).toBeLessThan(BLOCK + 50);
  });

  it("gives the backlog's first entries in order of arrival", async () => {
    const batch = await db().transaction((tx) => inArrivalOrder(tx, () => readLeafRecord(tx, orgId, newer(), BLOCK)));
    expect(batch?.count).toBe(BLOCK);
    expect(batch!.record).toHaveLength(BLOCK * LEAF_RECORD);
    expect(leafHashViews(batch!.record)).toHaveLength(BLOCK);
    const expected = await queryRows<{ id: string }>(
      db(),
      sql`select id::text as id from audit_logs where org_id = ${orgId}::uuid and ${newer()}
          order by received_at, id limit ${BLOCK}`,
    );
    expect(batch!.first).toEqual({ id: expected[0]!.id, receivedAt: new Date(T0 + KNOWN * 10).toISOString() });
    expect(batch!.last).toEqual({
      id: expected[BLOCK - 1]!.id,
      receivedAt: new Date(T0 + (KNOWN + BLOCK - 1) * 10).toISOString(),
    });
  });

  it("turns the sorts back on for the handler, in the same transaction", async () => {
    const settings = await db().transaction(async (tx) => {
      const during = await inArrivalOrder(tx, () => queryRows<{ enable_sort: string }>(tx, sql`show enable_sort`));
      const after = await queryRows<{ enable_sort: string }>(tx, sql`show enable_sort`);
      return [during[0]!.enable_sort, after[0]!.enable_sort];
    });
    expect(settings).toEqual(["off", "on"]);
  });
});
