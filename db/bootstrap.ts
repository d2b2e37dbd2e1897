import "server-only";

import path from "node:path";
import { sql } from "drizzle-orm";
import { env } from "@/lib/env";
import { createDatabase, getDatabaseHandle, type DatabaseHandle } from "./client";
import { EmbeddedDatabaseBusyError, isOnDisk, lockEmbeddedDatabase } from "./embedded-lock";
import { ensurePartitions, runMigrations } from "./migrate";

const DEMO_ROWS = 20_000;

const count = (n: number) => n.toLocaleString("en-US");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A start that cannot go on; its message is the one line the operator reads. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

export interface PreparedDatabase {
  kind: DatabaseHandle["kind"];
  /** The embedded database holds the demo accounts (seeded now or on an earlier start). */
  demoAccounts: boolean;
}

type Log = (line: string) => void;

/**
 * The first line of the root cause's message with its code: what went wrong, without the stack
 * (drizzle wraps a driver's error in "Failed query: …", whose cause says why).
 */
export function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.cause instanceof Error) return reason(error.cause);
  const code = (error as NodeJS.ErrnoException).code;
  const first = error.message.split("\n")[0]?.trim() || error.name;
  return code && !first.includes(code) ? `${first} (${code})` : first;
}

async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof StartupError) throw error;
    throw new StartupError(`${what} failed: ${reason(error)}`);
  }
}

/** The embedded database's folder is this process's for its whole life (db/embedded-lock.ts). */
export function lockEmbeddedDataFolder(command: string): void {
  if (env.DATABASE_URL || !isOnDisk(env.PGLITE_DATA_DIR)) return;
  try {
    lockEmbeddedDatabase(env.PGLITE_DATA_DIR, command);
  } catch (error) {
    if (error instanceof EmbeddedDatabaseBusyError) throw new StartupError(error.message);
    throw new StartupError(`locking the embedded database folder failed: ${reason(error)}`);
  }
}

async function seedDemo(handle: DatabaseHandle, log: Log): Promise<boolean> {
  const { isSeeded, seedDatabase } = await import("./seed");
  if (await step("reading the embedded database", () => isSeeded(handle.db))) return true;
  log(`first start: seeding ${count(DEMO_ROWS)} demo entries into the embedded database`);
  const started = performance.now();
  let reported = 0;
  await step("seeding the demo data", () =>
    seedDatabase(handle, {
      rows: DEMO_ROWS,
      seed: 42,
      now: new Date(),
      onProgress: (inserted, total) => {
        // A line every few seconds: enough to see it move, not a wall of numbers.
        if (inserted < total && performance.now() - reported < 3000) return;
        reported = performance.now();
        log(`  ${count(inserted)} / ${count(total)} demo entries`);
      },
    }),
  );
  log(`seeded the demo data in ${seconds(performance.now() - started)}`);
  return true;
}

/**
 * Brings the database to where the console can serve: the embedded one is migrated (and seeded
 * with the demo data on first start); a server database is migrated only with DB_MIGRATE_ON_START
 * and otherwise checked. Every failure is a StartupError whose message says what went wrong.
 */
export async function prepareDatabase(handle: DatabaseHandle, log: Log): Promise<PreparedDatabase> {
  const embedded = handle.kind === "pglite";
  const where = embedded ? `the embedded database in ${path.resolve(env.PGLITE_DATA_DIR)}` : "the server database";
  if (!embedded) {
    const target = env.DATABASE_URL ? new URL(env.DATABASE_URL) : null;
    await step(`connecting to the server database at ${target?.host ?? "DATABASE_URL"}`, () =>
      handle.db.execute(sql`select 1`),
    );
  }
  if (embedded || env.DB_MIGRATE_ON_START) {
    const started = performance.now();
    log(`migrating ${where}`);
    await step(`migrating ${where}`, () => runMigrations(handle));
    log(`migrated in ${seconds(performance.now() - started)}`);
  }
  const demoAccounts = embedded && env.SEED_DEMO ? await seedDemo(handle, log) : false;
  try {
    await ensurePartitions(handle);
  } catch (error) {
    throw new StartupError(
      embedded
        ? `preparing ${where} failed: ${reason(error)}`
        : `the server database is not ready (${reason(error)}): run \`npm run db:migrate\`, or start with DB_MIGRATE_ON_START=true`,
    );
  }
  return { kind: handle.kind, demoAccounts };
}

/**
 * `npm start` prepares the database in server.ts before Next.js starts and says so here, so that
 * the instrumentation hook inside Next.js does not do it a second time. Shared through globalThis:
 * server.ts and Next.js's bundles each carry their own copy of this module.
 */
const globalForBootstrap = globalThis as unknown as { auditConsoleDatabasePrepared?: boolean };

export function markDatabasePrepared(): void {
  globalForBootstrap.auditConsoleDatabasePrepared = true;
}

/** Opens the database for the console server and prepares it; the handle is closed afterwards. */
export async function prepareForServer(log: Log): Promise<PreparedDatabase> {
  lockEmbeddedDataFolder("the console (npm start)");
  const handle = await step("opening the database", async () => {
    const opened = createDatabase();
    if (opened.kind === "pglite") await opened.client.waitReady;
    return opened;
  });
  try {
    return await prepareDatabase(handle, log);
  } finally {
    await handle.close().catch(() => {});
  }
}

/** Next.js's instrumentation hook: prepares the database unless server.ts already did. */
export async function bootstrapDatabase(): Promise<void> {
  if (!globalForBootstrap.auditConsoleDatabasePrepared) {
    lockEmbeddedDataFolder("the console (next dev)");
    await prepareDatabase(getDatabaseHandle(), (line) => console.log(`[audit-console] ${line}`));
  }
  // Off unless RETENTION_SCHEDULE is set (hourly, daily, or an interval such as 30m).
  const { startRetentionSchedule } = await import("@/lib/retention/schedule");
  startRetentionSchedule();
  // Notification matching and delivery, and sealing, unless WORKER_IN_PROCESS=false leaves them to `npm run worker`.
  const { startBackgroundWorker } = await import("@/lib/worker/background");
  startBackgroundWorker();
}
