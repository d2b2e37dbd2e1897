import { createServer, connect, type Server, type Socket } from "node:net";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { POST as ingestPost } from "@/app/api/v1/audit-events/route";
import { getDb, queryRows, type Database } from "@/db/client";
import { createReadReplica, getReadDb, readHandleCaughtUp, setReadReplica, type ReadReplica } from "@/db/read-replica";
import { organizations } from "@/db/schema";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { countMatching } from "@/lib/audit-log/counts";
import { loadExplorer } from "@/lib/audit-log/load-explorer";
import { parseWholeSearch, selectionFromParams } from "@/lib/audit-log/selection";
import { exportChunks } from "@/lib/exports/stream-export";
import { untilClockPassesStoredEntries } from "../helpers/arrival-clock";
import { createTestDatabase, serverTestUrl, type TestDatabase } from "../helpers/test-database";

/*
 * The read replica (db/read-replica.ts, db/replica-monitor.ts). With REPLICA_DATABASE_URL (a
 * streaming replica of the test server, scripts/replica.sh up; CI sets it with REPLICA_REQUIRED=1)
 * the readers are tested against the real replica: where reads go, a deep link to an entry the
 * replica has not replayed yet, lag above the bound, the replica going away. Without one (and on
 * the embedded database, which has no replica) only the fallback cases run: no replica configured,
 * a replica that never answers, and a deep link the replica lacks, with a second database standing
 * in for a replica that is behind.
 */

const replicaBase = process.env.REPLICA_DATABASE_URL;
const replicaRequired = process.env.REPLICA_REQUIRED === "1";
const onRealReplica = Boolean(replicaBase && serverTestUrl());

let testDb: TestDatabase;
let stale: TestDatabase;
let orgId: string;
let apiKey: string;
const opened: ReadReplica[] = [];

interface Lines {
  fallBack: string[];
  back: string[];
}

function logInto(lines: Lines) {
  return { fallBack: (line: string) => lines.fallBack.push(line), back: (line: string) => lines.back.push(line) };
}

function track(replica: ReadReplica): ReadReplica {
  opened.push(replica);
  setReadReplica(replica);
  return replica;
}

async function ingest(action: string): Promise<string> {
  const response = await ingestPost(
    new Request("http://console.test/api/v1/audit-events", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${apiKey}`,
        host: "console.test",
        "x-forwarded-host": "console.test",
        "x-forwarded-proto": "http",
      },
      body: JSON.stringify({
        events: [{ occurredAt: new Date().toISOString(), category: "service", action, result: "done" }],
      }),
    }),
  );
  expect(response.status).toBe(201);
  const body = (await response.json()) as { entries: { id: string }[] };
  return body.entries[0]!.id;
}

async function inRecovery(db: Database): Promise<boolean> {
  const [row] = await queryRows<{ recovery: boolean }>(db, sql`select pg_is_in_recovery() as recovery`);
  return row!.recovery;
}

async function hasEntry(db: Database, id: string): Promise<boolean> {
  const rows = await queryRows(db, sql`select 1 from audit_logs where id = ${id}`);
  return rows.length > 0;
}

async function healthBody() {
  const response = await health();
  expect(response.status).toBe(200);
  return (await response.json()) as { database: { primary: string; replica: string; replicaLagMs: number | null } };
}

beforeAll(async () => {
  // Created first: createTestDatabase makes the last one the console's database.
  stale = await createTestDatabase();
  testDb = await createTestDatabase();
  const db = testDb.handle.db;
  const [org] = await db.insert(organizations).values({ slug: "acme", name: "Acme" }).returning();
  orgId = org!.id;
  apiKey = (await createApiKey(db, { orgId, name: "replica", createdBy: null })).secret;
  // The stand-in for a replica that is behind: the same organization, none of its entries.
  await stale.handle.db.insert(organizations).values({ id: orgId, slug: "acme", name: "Acme" });
});

afterEach(() => {
  setReadReplica(null);
});

afterAll(async () => {
  setReadReplica(undefined);
  await Promise.all(opened.map((r) => r.close()));
  await stale?.drop();
  await testDb?.drop();
});

describe("read replica: settings of this run", () => {
  it("has a replica to test against when REPLICA_REQUIRED=1 (CI), on a server database", () => {
    if (!replicaRequired) return;
    expect(replicaBase, "REPLICA_REQUIRED=1 but REPLICA_DATABASE_URL is unset").toBeTruthy();
    expect(serverTestUrl(), "REPLICA_REQUIRED=1 needs TEST_DATABASE_URL or DATABASE_URL").toBeTruthy();
  });
});

describe("read replica fallbacks (every database, with or without a replica)", () => {
  it("without DATABASE_READ_URL readers use the primary and the health check says off", async () => {
    setReadReplica(null);
    expect(getReadDb()).toBe(getDb());
    expect(await readHandleCaughtUp()).toBe(testDb.handle);
    const body = await healthBody();
    expect(body.database).toMatchObject({ primary: "ok", replica: "off", replicaLagMs: null });
  });

  it("a replica that never answers: readers use the primary, one log line, health says down", async () => {
    const lines: Lines = { fallBack: [], back: [] };
    // Nothing listens on port 1.
    const replica = track(
      createReadReplica({
        url: "postgres://postgres@127.0.0.1:1/audit",
        maxLagMs: 5000,
        intervalMs: 50,
        maxConnections: 1,
        log: logInto(lines),
      }),
    );
    await vi.waitFor(() => expect(replica.monitor.current().state).toBe("down"), { timeout: 10_000 });
    for (let i = 0; i < 3; i++) await replica.monitor.check();
    expect(getReadDb()).toBe(getDb());
    const id = await ingest("fallback.read");
    const data = await loadExplorer(selectionFromParams(orgId, { entry: id }).selection);
    expect(data.selected?.details.id).toBe(id);
    expect(lines.fallBack).toHaveLength(1);
    expect(lines.fallBack[0]).toMatch(
      /^\[audit-console\] read replica unreachable \(.*ECONNREFUSED.*\); reading from the primary until it answers$/,
    );
    expect(lines.back).toEqual([]);
    expect((await healthBody()).database).toMatchObject({ primary: "ok", replica: "down", replicaLagMs: null });
  });

  it("a deep link to an entry the read database lacks is read from the primary, with the page around it", async () => {
    const id = await ingest("deep.link.stand-in");
    expect(await hasEntry(stale.handle.db, id)).toBe(false);
    const data = await loadExplorer(selectionFromParams(orgId, { entry: id }).selection, stale.handle.db);
    expect(data.selected?.details.id).toBe(id);
    expect(data.deepLink).toBeNull();
    expect(data.page.entries.map((e) => e.id)).toContain(id);
  });
});

describe.runIf(onRealReplica)("against a real streaming replica (REPLICA_DATABASE_URL; skipped without one)", () => {
  let replicaUrl: string;

  beforeAll(async () => {
    // The test database was created on the primary a moment ago; wait until the replica has it.
    const url = new URL(replicaBase!);
    url.pathname = new URL(testDb.url!).pathname;
    replicaUrl = url.toString();
    await vi.waitFor(
      async () => {
        const probe = postgres(replicaUrl, { max: 1, connect_timeout: 2, onnotice: () => {} });
        try {
          await probe`select 1 from organizations where id = ${orgId}`.then((rows) => expect(rows).toHaveLength(1));
        } finally {
          await probe.end({ timeout: 1 });
        }
      },
      { timeout: 60_000, interval: 100 },
    );
  });

  function openReplica(maxLagMs: number, lines: Lines, url = replicaUrl): ReadReplica {
    return track(createReadReplica({ url, maxLagMs, intervalMs: 100, maxConnections: 2, log: logInto(lines) }));
  }

  async function untilUsable(replica: ReadReplica) {
    await vi.waitFor(() => expect(replica.monitor.usable()).toBe(true), { timeout: 40_000, interval: 50 });
  }

  async function pauseReplay(replica: ReadReplica) {
    await replica.handle.db.execute(sql`select pg_wal_replay_pause()`);
    await vi.waitFor(
      async () => {
        const [row] = await queryRows<{ state: string }>(
          replica.handle.db,
          sql`select pg_get_wal_replay_pause_state() as state`,
        );
        expect(row!.state).toBe("paused");
      },
      { timeout: 10_000, interval: 20 },
    );
  }

  async function resumeReplay(replica: ReadReplica) {
    await replica.handle.db.execute(sql`select pg_wal_replay_resume()`);
  }

  it("readers read from the replica (pg_is_in_recovery through their handle), health says ok", async () => {
    const lines: Lines = { fallBack: [], back: [] };
    const replica = openReplica(5000, lines);
    await untilUsable(replica);
    expect(getReadDb()).toBe(replica.db);
    expect(await inRecovery(getReadDb())).toBe(true);
    expect(await inRecovery(getDb())).toBe(false);
    const id = await ingest("read.from.replica");
    await vi.waitFor(async () => expect(await hasEntry(replica.handle.db, id)).toBe(true), { timeout: 10_000 });
    const data = await loadExplorer(selectionFromParams(orgId, {}).selection);
    expect(data.page.entries.map((e) => e.id)).toContain(id);
    const body = await healthBody();
    expect(body.database.replica).toBe("ok");
    expect(body.database.replicaLagMs).toBeGreaterThanOrEqual(0);
    expect(body.database.replicaLagMs).toBeLessThanOrEqual(5000);
    expect(lines).toEqual({ fallBack: [], back: [] });
  });

  it("ingest, then deep-link at once: lands on the entry although the replica has not replayed it", async () => {
    const lines: Lines = { fallBack: [], back: [] };
    // A bound far above this test's pause, so the replica keeps serving while it lacks the entry.
    const replica = openReplica(120_000, lines);
    await untilUsable(replica);
    // As soon as it is stored, before the replica could have it: replay is held for this test.
    await pauseReplay(replica);
    try {
      const id = await ingest("deep.link.now");
      expect(await hasEntry(replica.handle.db, id)).toBe(false);
      expect(getReadDb()).toBe(replica.db);
      const data = await loadExplorer(selectionFromParams(orgId, { entry: id }).selection);
      expect(data.selected?.details.id).toBe(id);
      expect(data.deepLink).toBeNull();
      expect(data.page.entries.map((e) => e.id)).toContain(id);
      // An export's rows are not read from a replica short of the primary's position.
      expect(await readHandleCaughtUp(200)).toBe(testDb.handle);
    } finally {
      await resumeReplay(replica);
    }
    await vi.waitFor(async () => expect(await readHandleCaughtUp(200)).toBe(replica.handle), { timeout: 10_000 });
    // Without the pause: stored, then opened at once, on whichever database has it.
    const id = await ingest("deep.link.streaming");
    const data = await loadExplorer(selectionFromParams(orgId, { entry: id }).selection);
    expect(data.selected?.details.id).toBe(id);
    expect(lines).toEqual({ fallBack: [], back: [] });
  });

  it("an export's rows stream from the replica once it has replayed the primary's position", async () => {
    const replica = openReplica(120_000, { fallBack: [], back: [] });
    await untilUsable(replica);
    const stored = await Promise.all([ingest("export.one"), ingest("export.two")]);
    await untilClockPassesStoredEntries(getDb());
    const snapshotAt = new Date();
    const { params, search } = parseWholeSearch("", snapshotAt);
    const selection = { orgId, params, search, snapshotAt };
    const counted = await countMatching(selection, { cap: null, db: getDb() });
    if (!counted.exact) throw new Error("an uncapped count is exact");
    const handle = await readHandleCaughtUp(10_000);
    expect(handle).toBe(replica.handle);
    const job = {
      selection,
      context: { timeZone: "UTC", permalinkPrefix: "http://console.test/orgs/acme/audit-logs/" },
      format: "csv" as const,
      expectedRows: counted.count,
    };
    const pieces: Buffer[] = [];
    for await (const piece of exportChunks(handle, job)) pieces.push(Buffer.from(piece));
    const csv = Buffer.concat(pieces).toString("utf8");
    for (const id of stored) expect(csv).toContain(id);
    expect(csv.trim().split(/\r?\n/)).toHaveLength(counted.count + 1);
  });

  it("lag above DATABASE_READ_MAX_LAG_MS: readers use the primary, one line each way", async () => {
    const lines: Lines = { fallBack: [], back: [] };
    // The default bound: a replica of this busy machine's primary replays a second or two behind
    // it (the health check shows it), and readers return below half the bound.
    const replica = openReplica(5000, lines);
    await untilUsable(replica);
    await pauseReplay(replica);
    try {
      await ingest("lagging");
      await vi.waitFor(() => expect(replica.monitor.current().state).toBe("lagging"), {
        timeout: 10_000,
        interval: 50,
      });
      expect(getReadDb()).toBe(getDb());
      expect(await inRecovery(getReadDb())).toBe(false);
      const body = await healthBody();
      expect(body.database.replica).toBe("lagging");
      expect(body.database.replicaLagMs).toBeGreaterThan(5000);
      expect(lines.fallBack).toHaveLength(1);
      expect(lines.fallBack[0]).toMatch(
        /^\[audit-console\] read replica [\d,]+ ms behind the primary \(bound 5,000 ms, DATABASE_READ_MAX_LAG_MS\); reading from the primary until it catches up$/,
      );
    } finally {
      await resumeReplay(replica);
    }
    await untilUsable(replica);
    expect(getReadDb()).toBe(replica.db);
    expect(lines.fallBack).toHaveLength(1);
    expect(lines.back).toHaveLength(1);
    expect(lines.back[0]).toMatch(/^\[audit-console\] read replica back \([\d,]+ ms behind\); reading from it again$/);
  });

  it("the replica stops answering (its address refuses connections): reads fall back at once, one line each way", async () => {
    // The replica behind a TCP relay that can be cut: connections reset, new ones refused, as
    // when the replica's server stops; then opened again on the same port.
    const target = new URL(replicaBase!);
    const sockets = new Set<Socket>();
    const relay = (): Server =>
      createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
    let server = relay();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const viaRelay = new URL(replicaUrl);
    viaRelay.port = String(port);

    const lines: Lines = { fallBack: [], back: [] };
    const replica = openReplica(5000, lines, viaRelay.toString());
    try {
      await untilUsable(replica);
      expect(await inRecovery(getReadDb())).toBe(true);

      replica.monitor.stop(); // the next reads find it gone before any check does
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
      const reader = getReadDb();
      expect(reader).toBe(replica.db);
      // Sent to the replica, answered by the primary.
      expect(await inRecovery(reader)).toBe(false);
      const id = await ingest("replica.down");
      const data = await loadExplorer(selectionFromParams(orgId, { entry: id }).selection);
      expect(data.selected?.details.id).toBe(id);
      expect(getReadDb()).toBe(getDb());
      for (let i = 0; i < 3; i++) await replica.monitor.check();
      expect(replica.monitor.current().state).toBe("down");
      expect((await healthBody()).database.replica).toBe("down");
      expect(lines.fallBack).toHaveLength(1);
      expect(lines.fallBack[0]).toMatch(
        /^\[audit-console\] read replica unreachable \(.+\); reading from the primary until it answers$/,
      );
      expect(lines.fallBack[0]).not.toContain("\n");

      server = relay();
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      replica.monitor.start();
      await untilUsable(replica);
      expect(await inRecovery(getReadDb())).toBe(true);
      expect(lines.fallBack).toHaveLength(1);
      expect(lines.back).toHaveLength(1);
    } finally {
      await replica.close();
      server.close();
      for (const s of sockets) s.destroy();
    }
  });
});
