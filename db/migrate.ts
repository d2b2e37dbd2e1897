import "server-only";

import path from "node:path";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type { DatabaseHandle, Schema } from "./client";
import { buildOnlineIndexes } from "./online-indexes";

export const migrationsFolder = path.join(process.cwd(), "db", "migrations");

/**
 * The SQL migrations (db/migrations, each in a transaction), then the audit log's indexes that are
 * built without stopping writers (db/online-indexes.ts), which cannot run inside a transaction.
 */
export async function runMigrations(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === "postgres") {
    await migratePostgres(handle.db as unknown as PostgresJsDatabase<Schema>, { migrationsFolder });
  } else {
    await migratePglite(handle.db as unknown as PgliteDatabase<Schema>, { migrationsFolder });
  }
  await buildOnlineIndexes(handle);
}

/**
 * Monthly partitions from `monthsBack` months ago to `monthsAhead` months ahead, for the live table
 * and the archive. Cheap when they exist; run at start-up and by the retention job.
 */
export async function ensurePartitions(handle: DatabaseHandle, monthsBack = 14, monthsAhead = 3): Promise<void> {
  for (const parent of ["audit_logs", "audit_logs_archive"]) {
    await handle.db.execute(
      sql`select audit_ensure_partitions(${parent}, (now() - make_interval(months => ${monthsBack}))::date, (now() + make_interval(months => ${monthsAhead}))::date)`,
    );
  }
}
