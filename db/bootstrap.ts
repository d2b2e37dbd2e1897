import "server-only";

import { env } from "@/lib/env";
import { getDatabaseHandle } from "./client";
import { ensurePartitions, runMigrations } from "./migrate";

const DEMO_ROWS = 20_000;

export async function bootstrapDatabase(): Promise<void> {
  const handle = getDatabaseHandle();
  if (handle.kind === "pglite" || env.DB_MIGRATE_ON_START) {
    await runMigrations(handle);
  }
  if (handle.kind === "pglite" && env.SEED_DEMO) {
    const { isSeeded, seedDatabase } = await import("./seed");
    if (!(await isSeeded(handle.db))) {
      console.log(`[audit-console] first start: seeding ${DEMO_ROWS} demo entries into the embedded database`);
      await seedDatabase(handle, { rows: DEMO_ROWS, seed: 42, now: new Date() });
    }
  }
  try {
    await ensurePartitions(handle);
  } catch (error) {
    console.error("[audit-console] the database is not migrated: run `npm run db:migrate`.", error);
    return;
  }
  // Off unless RETENTION_SCHEDULE is set (hourly, daily, or an interval such as 30m).
  const { startRetentionSchedule } = await import("@/lib/retention/schedule");
  startRetentionSchedule();
}
