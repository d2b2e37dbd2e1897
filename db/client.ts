import "server-only";

import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "@/lib/env";
import { resilientClient } from "./resilient-postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type Executor = Database | Transaction;

/*
 * Two drivers, one schema. The raw client is exposed for the few places that need what drizzle
 * does not wrap: COPY and cursors for exports (postgres), and the embedded instance for tests.
 */
export type DatabaseHandle =
  | { kind: "postgres"; db: Database; sql: postgres.Sql; close: () => Promise<void> }
  | { kind: "pglite"; db: Database; client: PGlite; close: () => Promise<void> };

export interface DatabaseOptions {
  url?: string;
  /**
   * PGlite data directory, or "memory://" for a throwaway database. Naming one asks for the
   * embedded database, also when DATABASE_URL is set (tests compare the two side by side).
   */
  dataDir?: string;
  /** A dumped PGlite data folder to start from (tests copy one migrated template). */
  loadDataDir?: Blob;
  maxConnections?: number;
}

/*
 * Session settings of every console connection to a server database (the benchmark opens its
 * connections with them too; docs/performance.md, "Design choices", has the figures):
 * - no parallel workers: many short queries from many people at once, and a parallel plan took
 *   three processes' CPU for the wall time one process needed, CPU the other people's pages were
 *   waiting for.
 * - work_mem 16MB: a free word's count ANDs the trigram bitmap of a whole month with the
 *   organization's range; at the default 4MB half of its heap pages went lossy and every row on
 *   them was checked again.
 */
export const CONSOLE_CONNECTION_SETTINGS = { max_parallel_workers_per_gather: "0", work_mem: "16MB" } as const;

export function defaultDataDir(): string {
  return env.PGLITE_DATA_DIR;
}

export function createDatabase(options: DatabaseOptions = {}): DatabaseHandle {
  const url = options.url ?? (options.dataDir === undefined ? env.DATABASE_URL : undefined);
  if (url) {
    const sql = postgres(url, {
      max: options.maxConnections ?? env.DATABASE_POOL_MAX,
      idle_timeout: 30,
      connect_timeout: 10,
      onnotice: () => {},
      connection: CONSOLE_CONNECTION_SETTINGS,
    });
    // Reads survive a connection that died, transactions cannot crash the process: resilient-postgres.ts.
    const db = drizzlePostgres(resilientClient(sql), { schema }) as unknown as Database;
    return { kind: "postgres", db, sql, close: () => sql.end({ timeout: 5 }) };
  }
  const dataDir = options.dataDir ?? defaultDataDir();
  // PGlite creates the folder itself but not its parents (a fresh clone has no .data/ yet).
  if (!dataDir.includes("://")) mkdirSync(dataDir, { recursive: true });
  const client = new PGlite(dataDir, { extensions: { pg_trgm }, loadDataDir: options.loadDataDir });
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return { kind: "pglite", db, client, close: () => client.close() };
}

// One handle per process. Next.js reloads modules in development, so it is kept on globalThis.
const globalForDb = globalThis as unknown as { auditConsoleDb?: DatabaseHandle };

export function getDatabaseHandle(): DatabaseHandle {
  globalForDb.auditConsoleDb ??= createDatabase();
  return globalForDb.auditConsoleDb;
}

/** Replaces the process-wide handle; tests point the application code at their own database. */
export function setDatabaseHandle(handle: DatabaseHandle | undefined): void {
  globalForDb.auditConsoleDb = handle;
}

export function getDb(): Database {
  return getDatabaseHandle().db;
}

/**
 * Rows of a raw SQL statement. postgres.js answers an array and PGlite an object with `rows`;
 * callers get the rows either way.
 */
export async function queryRows<T extends Record<string, unknown>>(db: Executor, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
