import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createDatabase, setDatabaseHandle, type DatabaseHandle } from "@/db/client";
import { runMigrations } from "@/db/migrate";

export interface TestDatabase {
  handle: DatabaseHandle;
  /** Connection string of the server database, when tests run against one. */
  url: string | null;
  drop: () => Promise<void>;
}

export function serverTestUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
}

/**
 * A fresh, migrated database for one test file: a new database inside the server named by
 * TEST_DATABASE_URL (or DATABASE_URL), else an in-memory PGlite. It also becomes the handle that
 * application code gets from getDb(), so server actions and queries run against it.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = serverTestUrl();
  if (!base) {
    const handle = createDatabase({ dataDir: "memory://" });
    await runMigrations(handle);
    setDatabaseHandle(handle);
    return {
      handle,
      url: null,
      drop: async () => {
        setDatabaseHandle(undefined);
        await handle.close();
      },
    };
  }
  const name = `audit_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const handle = createDatabase({ url: url.toString(), maxConnections: 5 });
  await runMigrations(handle);
  setDatabaseHandle(handle);
  return {
    handle,
    url: url.toString(),
    drop: async () => {
      setDatabaseHandle(undefined);
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
