import "server-only";

import { sql as sqlText } from "drizzle-orm";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "@/lib/env";
import {
  CONSOLE_CONNECTION_SETTINGS,
  getDatabaseHandle,
  getDb,
  queryRows,
  type Database,
  type DatabaseHandle,
} from "./client";
import { isConnectionLost } from "./connection-errors";
import { parseLsn, ReplicaMonitor, type ReplicaStatus } from "./replica-monitor";
import { isReadOnlyStatement, resilientClient } from "./resilient-postgres";
import * as schema from "./schema";

/*
 * The read replica (DATABASE_READ_URL): explorer pages, counts, insights, sign-in patterns, the
 * new-entries bar and export downloads read from getReadDb() / readHandleFor(); writes,
 * permission checks, sessions and whatever must see its own write keep getDb(). getReadDb() is the
 * replica while its monitor (replica-monitor.ts) finds it answering and within
 * DATABASE_READ_MAX_LAG_MS, else the primary. A read sent to the replica that finds it gone runs
 * on the primary instead, and the monitor is told at once, so an outage between two checks costs
 * the readers nothing but a refused connection.
 */

export type PostgresHandle = Extract<DatabaseHandle, { kind: "postgres" }>;

export interface ReadReplica {
  /** The replica itself: the monitor's checks and export downloads. */
  handle: PostgresHandle;
  /** What readers get: the replica, whose reads run on the primary when the replica is unreachable. */
  db: Database;
  monitor: ReplicaMonitor;
  close: () => Promise<void>;
}

export interface ReadReplicaOptions {
  url: string;
  maxLagMs: number;
  intervalMs?: number;
  timeoutMs?: number;
  maxConnections?: number;
  log?: ConstructorParameters<typeof ReplicaMonitor>[0]["log"];
}

type Query = postgres.PendingQuery<postgres.Row[]>;
type Unsafe = (...args: Parameters<postgres.Sql["unsafe"]>) => Query;

// The replica cancelled the statement because replaying the primary's WAL needed what it held.
function isRecoveryConflict(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (code === "40001" && typeof message === "string" && message.includes("recovery")) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/*
 * The replica's client for readers: a reading statement that fails because the replica cannot be
 * reached (or cancelled it for a recovery conflict) runs once on the primary.
 */
function fallbackClient(replica: postgres.Sql, onUnreachable: (error: unknown) => void): postgres.Sql {
  const primarySql = (): postgres.Sql | null => {
    const primary = getDatabaseHandle();
    return primary.kind === "postgres" ? resilientClient(primary.sql) : null;
  };
  const unsafe: Unsafe = (text, ...rest) => {
    if (!isReadOnlyStatement(text)) return replica.unsafe(text, ...rest);
    const attempt = async <T>(pick: (query: Query) => PromiseLike<T>): Promise<T> => {
      try {
        return await pick(replica.unsafe(text, ...rest));
      } catch (error) {
        const lost = isConnectionLost(error);
        const primary = lost || isRecoveryConflict(error) ? primarySql() : null;
        if (!primary) throw error;
        if (lost) onUnreachable(error);
        return await pick(primary.unsafe(text, ...rest));
      }
    };
    let rows: Promise<unknown> | null = null;
    const all = () => (rows ??= attempt((q) => q));
    const query = {
      then: (onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) =>
        all().then(onFulfilled, onRejected),
      catch: (onRejected?: (reason: unknown) => unknown) => all().catch(onRejected),
      values: () => attempt((q) => q.values()),
    };
    return query as unknown as Query;
  };
  return new Proxy(replica, {
    get: (target, property, receiver) =>
      property === "unsafe" ? unsafe : (Reflect.get(target, property, receiver) as unknown),
  });
}

/** Connects to the replica and starts its monitor. */
export function createReadReplica(options: ReadReplicaOptions): ReadReplica {
  const sql = postgres(options.url, {
    max: options.maxConnections ?? env.DATABASE_POOL_MAX,
    idle_timeout: 30,
    // A replica that does not answer is left for the primary: no long wait for it.
    connect_timeout: 3,
    onnotice: () => {},
    connection: CONSOLE_CONNECTION_SETTINGS,
  });
  const resilient = resilientClient(sql);
  const handle: PostgresHandle = {
    kind: "postgres",
    db: drizzlePostgres(resilient, { schema }) as unknown as Database,
    sql,
    close: () => sql.end({ timeout: 5 }),
  };
  const monitor = new ReplicaMonitor({
    primary: getDb,
    replica: handle.db,
    maxLagMs: options.maxLagMs,
    intervalMs: options.intervalMs,
    timeoutMs: options.timeoutMs,
    log: options.log,
  });
  const db = drizzlePostgres(
    fallbackClient(resilient, (error) => monitor.reportUnreachable(error)),
    { schema },
  ) as unknown as Database;
  monitor.start();
  return {
    handle,
    db,
    monitor,
    close: async () => {
      monitor.stop();
      await handle.close();
    },
  };
}

// One per process, beside the primary's handle (db/client.ts); null: no replica configured.
const globalForReplica = globalThis as unknown as { auditConsoleReadReplica?: ReadReplica | null };

function configuredReplica(): ReadReplica | null {
  if (globalForReplica.auditConsoleReadReplica === undefined) {
    const url = env.DATABASE_READ_URL;
    globalForReplica.auditConsoleReadReplica =
      url && getDatabaseHandle().kind === "postgres"
        ? createReadReplica({ url, maxLagMs: env.DATABASE_READ_MAX_LAG_MS })
        : null;
  }
  return globalForReplica.auditConsoleReadReplica;
}

/** Replaces the process's replica (null: none); tests point readers at their own. */
export function setReadReplica(replica: ReadReplica | null | undefined): void {
  globalForReplica.auditConsoleReadReplica = replica;
}

/** The database readers use: the replica when configured and healthy, else the primary. */
export function getReadDb(): Database {
  const replica = configuredReplica();
  return replica?.monitor.usable() ? replica.db : getDb();
}

/** The replica's state for the health check: "off" when none is configured. */
export async function readReplicaStatus(): Promise<{ state: ReplicaStatus["state"] | "off"; lagMs: number | null }> {
  const replica = configuredReplica();
  if (!replica) return { state: "off", lagMs: null };
  return replica.monitor.settled();
}

async function walPosition(db: Database, query: ReturnType<typeof sqlText>): Promise<bigint> {
  const [row] = await queryRows<{ lsn: string | null }>(db, query);
  if (!row?.lsn) throw new Error("no WAL position");
  return parseLsn(row.lsn);
}

/**
 * The handle a long read of everything committed so far runs on (an export download of a
 * snapshot taken on the primary): the replica when it is healthy and has replayed the primary's
 * current WAL position, waiting up to `waitMs` for that; else the primary.
 */
export async function readHandleCaughtUp(waitMs = 1_000): Promise<DatabaseHandle> {
  const primary = getDatabaseHandle();
  const replica = configuredReplica();
  if (!replica?.monitor.usable()) return primary;
  try {
    const target = await walPosition(primary.db, sqlText`select pg_current_wal_lsn()::text as lsn`);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const replayed = await walPosition(replica.handle.db, sqlText`select pg_last_wal_replay_lsn()::text as lsn`);
      if (replayed >= target) return replica.handle;
      if (Date.now() >= deadline) return primary;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } catch (error) {
    if (isConnectionLost(error)) replica.monitor.reportUnreachable(error);
    return primary;
  }
}
