import { count, eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/audit-events/route";
import { createDatabase, queryRows, setDatabaseHandle } from "@/db/client";
import { isConnectionLost } from "@/db/connection-errors";
import { auditIdempotency, auditLogs, organizations } from "@/db/schema";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { tryAcquireRunLock } from "@/lib/retention/run-lock";
import { createTestDatabase, serverTestUrl, type TestDatabase } from "../helpers/test-database";

/*
 * What happens to the console's pool when the server ends its backends (pg_terminate_backend, as a
 * failover, a restart or an operator does). Only a server database has backends to end, so these
 * run only when the tests run against one.
 */

let testDb: TestDatabase;
let killer: postgres.Sql;
let acme: { id: string; key: string };

// Errors that escaped every caller (postgres.js throwing from a timer) would end a server process.
const escaped: unknown[] = [];
const noteEscaped = (error: unknown) => void escaped.push(error);

function handle() {
  const h = testDb.handle;
  if (h.kind !== "postgres") throw new Error("these tests need the server database");
  return h;
}

/** Ends the backends of the test database that run a statement matching `pattern` (all when omitted). */
async function terminate(pattern = "%"): Promise<number[]> {
  const rows = await killer<{ pid: number }[]>`
    select pid from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and query like ${pattern} and state = 'active'`;
  const pids = rows.map((r) => r.pid);
  await killer`select pg_terminate_backend(pid) from unnest(${pids}::int[]) as pid`;
  await waitFor(async () => {
    const [row] = await killer<
      { n: number }[]
    >`select count(*)::int as n from pg_stat_activity where pid = any(${pids}::int[])`;
    return row!.n === 0;
  });
  return pids;
}

/** Waits until `condition` holds, checking every 20 ms, for at most 15 s. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function activeCount(pattern: string): Promise<number> {
  const [row] = await killer<{ n: number }[]>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and state = 'active' and query like ${pattern}`;
  return row!.n;
}

// Lets timers and immediates already scheduled run: a throw from one of them lands in `escaped`.
async function drainTimers(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 0));
}

function post(body: unknown): Promise<Response> {
  return POST(
    new Request("http://console.test/api/v1/audit-events", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${acme.key}`,
        host: "console.test",
        "x-forwarded-host": "console.test",
        "x-forwarded-proto": "http",
      },
      body: JSON.stringify(body),
    }),
  );
}

function event(key: string | null) {
  return {
    idempotencyKey: key,
    occurredAt: new Date(Date.UTC(2026, 10, 20, 9)).toISOString(),
    category: "service",
    action: "deploy",
    description: "deploy checkout",
    result: "done",
    level: "notice",
    service: "Deployments",
  };
}

describe.runIf(serverTestUrl())("after the server ends the console's database connections", () => {
  beforeAll(async () => {
    testDb = await createTestDatabase();
    killer = postgres(testDb.url!, { max: 1, onnotice: () => {} });
    const db = testDb.handle.db;
    const [a] = await db.insert(organizations).values({ slug: "acme", name: "Acme" }).returning();
    acme = { id: a!.id, key: (await createApiKey(db, { orgId: a!.id, name: "ci", createdBy: null })).secret };
    process.on("uncaughtException", noteEscaped);
    process.on("unhandledRejection", noteEscaped);
  });

  afterEach(async () => {
    await drainTimers();
    expect(escaped).toEqual([]);
  });

  afterAll(async () => {
    process.off("uncaughtException", noteEscaped);
    process.off("unhandledRejection", noteEscaped);
    await killer?.end();
    await testDb?.drop();
  });

  it("the reads after the statements in flight were ended all succeed", async () => {
    const h = handle();
    // Every connection of the pool (5) busy when the server ends them: raw statements, not retried.
    const inFlight = Array.from({ length: 5 }, () =>
      h.sql`select pg_sleep(30)`.then(
        () => null,
        (error: unknown) => error,
      ),
    );
    await waitFor(async () => (await activeCount("select pg_sleep(30)%")) === 5);
    await terminate("select pg_sleep(30)%");
    for (const error of await Promise.all(inFlight)) expect(isConnectionLost(error)).toBe(true);

    const reads = await Promise.allSettled(
      Array.from({ length: 10 }, () => h.db.select({ slug: organizations.slug }).from(organizations)),
    );
    const failures = reads.flatMap((r) =>
      r.status === "rejected" ? [String((r.reason as Error).cause ?? r.reason)] : [],
    );
    expect(failures).toEqual([]);
  });

  it("a transaction whose backend is ended mid-statement fails, the process lives on, and the next one succeeds", async () => {
    const h = handle();
    let pid: number | null = null;
    const tx = h.db.transaction(async (t) => {
      pid = (await queryRows<{ pid: number }>(t, sql`select pg_backend_pid() as pid`))[0]!.pid;
      await t.execute(sql`select pg_sleep(30)`);
    });
    const outcome = tx.then(
      () => null,
      (error: unknown) => error,
    );
    await waitFor(async () => pid !== null && (await activeCount("select pg_sleep(30)%")) === 1);
    await terminate("select pg_sleep(30)%");
    expect(isConnectionLost(await outcome)).toBe(true);
    await drainTimers();

    const names = await h.db.transaction((t) => t.select({ slug: organizations.slug }).from(organizations));
    expect(names).toEqual([{ slug: "acme" }]);
  });

  it("a transaction whose backend is ended between its statements fails without writing to the dead socket", async () => {
    const h = handle();
    let pid: number | null = null;
    let resume: () => void = () => {};
    const paused = new Promise<void>((r) => (resume = r));
    let second: unknown = "not run";
    const tx = h.db.transaction(async (t) => {
      pid = (await queryRows<{ pid: number }>(t, sql`select pg_backend_pid() as pid`))[0]!.pid;
      await paused;
      try {
        await t.execute(sql`select 1`);
        second = null;
      } catch (error) {
        second = error;
        throw error;
      }
    });
    const outcome = tx.then(
      () => null,
      (error: unknown) => error,
    );
    await waitFor(async () => pid !== null);
    await killer`select pg_terminate_backend(${pid})`;
    // postgres.js rejects the transaction when its socket closes.
    expect(isConnectionLost(await outcome)).toBe(true);
    resume();
    await waitFor(async () => second !== "not run");
    expect(isConnectionLost(second)).toBe(true);
    await drainTimers();

    const [row] = await h.db.select({ n: count() }).from(organizations);
    expect(row!.n).toBe(1);
  });

  it("an ingestion batch whose statement is ended is stored by running it again: 201, one copy", async () => {
    const h = handle();
    // Another session holds the batch's idempotency key uncommitted, so the batch's insert waits on it.
    const blocker = postgres(testDb.url!, { max: 1, onnotice: () => {} });
    await blocker`begin`;
    await blocker`insert into audit_idempotency (org_id, key, entry_id, occurred_at)
      values (${acme.id}, 'held-key', '00000000-0000-0000-0000-000000000000', now())`;
    const answer = post({ events: [event("held-key"), event("fresh-key"), event(null)] });
    await waitFor(async () => (await activeCount("%json_to_recordset%")) === 1);
    await terminate("%json_to_recordset%");
    await blocker`rollback`;
    await blocker.end();

    const response = await answer;
    expect(response.status).toBe(201);
    const body = (await response.json()) as { entries: { id: string; duplicate: boolean }[] };
    expect(body.entries.map((e) => e.duplicate)).toEqual([false, false, false]);
    const stored = await h.db.select({ id: auditLogs.id }).from(auditLogs).where(eq(auditLogs.orgId, acme.id));
    expect(stored.map((r) => r.id).sort()).toEqual(body.entries.map((e) => e.id).sort());
    const keys = await h.db.select({ key: auditIdempotency.key }).from(auditIdempotency);
    expect(keys.map((k) => k.key).sort()).toEqual(["fresh-key", "held-key"]);
  });

  it("the retention lock whose connection was ended is released without writing to the dead socket", async () => {
    const lock = await tryAcquireRunLock(handle());
    expect(lock).not.toBeNull();
    const [holder] = await killer<{ pid: number }[]>`
      select pid from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and query like '%pg_try_advisory_lock%'`;
    await killer`select pg_terminate_backend(${holder!.pid})`;
    // Released at once, as a run would when its statement failed: the client may not have seen the
    // socket close yet.
    await lock!.release().catch(() => {});
    await waitFor(async () => {
      const [row] = await killer<
        { n: number }[]
      >`select count(*)::int as n from pg_stat_activity where pid = ${holder!.pid}`;
      return row!.n === 0;
    });
    await drainTimers();
    // The lock went with the ended session: the next run takes it.
    const next = await tryAcquireRunLock(handle());
    expect(next).not.toBeNull();
    await next!.release();
  });

  it("an ingestion batch answers 503 with Retry-After, not 500, while the database cannot be reached", async () => {
    // A pool pointed at a port nothing listens on: every connection attempt is refused.
    const url = new URL(testDb.url!);
    url.port = "1";
    const unreachable = createDatabase({ url: url.toString(), maxConnections: 1 });
    setDatabaseHandle(unreachable);
    try {
      const response = await post({ events: [event("down-key")] });
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(((await response.json()) as { error: string }).error).toMatch(/Send the same batch again/);
    } finally {
      setDatabaseHandle(testDb.handle);
      await unreachable.close();
    }
  });
});
