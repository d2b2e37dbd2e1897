import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organizations } from "@/db/schema";
import { auditEventSchema, type AuditEventInput } from "@/lib/audit/event-schema";
import { storeAuditEvents } from "@/lib/audit/record-audit-event";
import { consumeArrivals, type ArrivalConsumer, type ArrivedEntry } from "@/lib/worker/arrivals";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { untilClockPassesStoredEntries } from "../helpers/arrival-clock";

/*
 * The background consumers' reading of new entries: each entry once, in order of arrival, never
 * passed over when its transaction commits late, shared by concurrent consumers without repeats.
 */

let testDb: TestDatabase;
let orgA: string;
let orgB: string;

function event(n: number): AuditEventInput {
  return {
    occurredAt: new Date(Date.UTC(2026, 10, 20) + n * 1000).toISOString(),
    category: "service",
    action: "deploy",
    description: `arrival ${n}`,
    result: "done",
  };
}

async function store(orgId: string, from: number, count: number): Promise<string[]> {
  const events = Array.from({ length: count }, (_, i) => auditEventSchema.parse(event(from + i)));
  const ids = (await storeAuditEvents(testDb.handle.db, orgId, events)).map((s) => s.id);
  await untilClockPassesStoredEntries(testDb.handle.db);
  return ids;
}

/** A consumer that records what it was given, and fails on demand before its cursor moves. */
function recorder(name: string, startAt: ArrivalConsumer["startAt"] = "beginning") {
  const seen: ArrivedEntry[] = [];
  let failNext = false;
  const consumer: ArrivalConsumer = {
    name,
    startAt,
    async handle(_tx, _orgId, entries) {
      if (failNext) {
        failNext = false;
        throw new Error("handler failed");
      }
      seen.push(...entries);
    },
  };
  return { consumer, seen, failOnce: () => (failNext = true) };
}

// The horizon keeps back this much; tests read with none, so entries just stored are visible.
const NOW = { marginMs: 0 };

beforeAll(async () => {
  testDb = await createTestDatabase();
  const [a, b] = await testDb.handle.db
    .insert(organizations)
    .values([
      { slug: "arrivals-a", name: "A" },
      { slug: "arrivals-b", name: "B" },
    ])
    .returning({ id: organizations.id });
  orgA = a!.id;
  orgB = b!.id;
});

afterAll(async () => {
  await testDb?.drop();
});

describe("consumeArrivals", () => {
  it("hands every organization's entries over once, in order of arrival, in batches", async () => {
    const a = await store(orgA, 0, 7);
    const b = await store(orgB, 100, 3);
    const { consumer, seen } = recorder(`order-${randomUUID()}`);
    // One call takes each organization's backlog, batch after batch (3 + 3 + 1 of A, 3 of B).
    expect(await consumeArrivals(consumer, { ...NOW, batchSize: 3 })).toBe(10);
    expect(seen.filter((e) => e.orgId === orgA).map((e) => e.id)).toEqual(a);
    expect(seen.filter((e) => e.orgId === orgB).map((e) => e.id)).toEqual(b);
    expect(await consumeArrivals(consumer, NOW)).toBe(0);
    const more = await store(orgA, 7, 2);
    expect(await consumeArrivals(consumer, NOW)).toBe(2);
    expect(seen.slice(-2).map((e) => e.id)).toEqual(more);
  });

  it("starts a new 'now' consumer after what is already stored", async () => {
    await store(orgA, 200, 2);
    const { consumer, seen } = recorder(`now-${randomUUID()}`, "now");
    expect(await consumeArrivals(consumer, NOW)).toBe(0);
    const later = await store(orgA, 300, 1);
    await consumeArrivals(consumer, NOW);
    expect(seen.map((e) => e.id)).toEqual(later);
  });

  it("hands a failed batch over again: the cursor moves only with the handler's work", async () => {
    const ids = await store(orgB, 400, 2);
    const { consumer, seen, failOnce } = recorder(`retry-${randomUUID()}`, "now");
    await consumeArrivals(consumer, NOW);
    const more = await store(orgB, 410, 2);
    failOnce();
    await expect(consumeArrivals(consumer, NOW)).rejects.toThrow("handler failed");
    await consumeArrivals(consumer, NOW);
    expect(seen.map((e) => e.id)).toEqual(more);
    expect(seen.map((e) => e.id)).not.toContain(ids[0]);
  });
});

// Concurrency needs a second connection, which only the server database has; the embedded one runs
// one statement at a time, so a transaction cannot be open while another commits there.
const onServer = Boolean(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL);

describe.each(onServer ? ["server database"] : [])("on the %s", () => {
  it("waits for a transaction that started earlier and commits later", async () => {
    const { consumer, seen } = recorder(`late-${randomUUID()}`, "now");
    await consumeArrivals(consumer, NOW);
    const other = postgres(testDb.url!, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    try {
      let inserted!: () => void;
      const insertedInTx = new Promise<void>((resolve) => (inserted = resolve));
      const lateId = randomUUID();
      const tx = other.begin(async (sql) => {
        await sql`insert into audit_logs (org_id, id, occurred_at, category, action, result)
                  values (${orgA}, ${lateId}, now(), 'service', 'late', 'done')`;
        inserted();
        await released;
      });
      await insertedInTx;
      const early = await store(orgA, 500, 1);
      // The later entry is committed, but the open transaction's entry would sort before it.
      expect(await consumeArrivals(consumer, NOW)).toBe(0);
      release();
      await tx;
      await consumeArrivals(consumer, NOW);
      expect(seen.map((e) => e.id)).toEqual([lateId, ...early]);
    } finally {
      release();
      await other.end();
    }
  });

  it("does not wait for another consumer's open transaction, which writes no entry", async () => {
    const slowName = `slow-${randomUUID()}`;
    const fast = recorder(`fast-${randomUUID()}`, "now");
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow: ArrivalConsumer = {
      name: slowName,
      startAt: "now",
      async handle(_tx, orgId) {
        if (orgId !== orgA) return;
        entered();
        await released;
      },
    };
    await consumeArrivals(slow, NOW);
    await consumeArrivals(fast.consumer, NOW);
    await store(orgA, 800, 1);
    const running = consumeArrivals(slow, NOW);
    try {
      await inside;
      // Stored while the slow consumer's transaction is open: an ordinary open transaction would
      // keep the horizon before it (the test above), a consumer's does not.
      const later = await store(orgB, 810, 2);
      await consumeArrivals(fast.consumer, NOW);
      expect(fast.seen.map((e) => e.id)).toEqual(expect.arrayContaining(later));
    } finally {
      release();
      await running;
    }
  });

  it("lets concurrent consumers share the work without handling an entry twice", async () => {
    const name = `shared-${randomUUID()}`;
    const first = recorder(name, "now");
    const second = recorder(name, "now");
    await consumeArrivals(first.consumer, NOW);
    const ids = [...(await store(orgA, 600, 40)), ...(await store(orgB, 700, 40))];
    for (let i = 0; i < 20; i++) {
      await Promise.all([
        consumeArrivals(first.consumer, { ...NOW, batchSize: 7 }),
        consumeArrivals(second.consumer, { ...NOW, batchSize: 7 }),
      ]);
    }
    const handled = [...first.seen, ...second.seen].map((e) => e.id);
    expect(handled.toSorted()).toEqual(ids.toSorted());
  });
});
