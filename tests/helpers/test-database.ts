import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { inject } from "vitest";
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
 * TEST_DATABASE_URL (or DATABASE_URL), else an in-memory PGlite, each a copy of the template the
 * global setup migrated (database-template.ts). It also becomes the handle that application code
 * gets from getDb(), so server actions and queries run against it.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = serverTestUrl();
  const template = inject("databaseTemplate");
  if (!base) {
    if (template.kind !== "pglite") throw new Error("the global setup prepared a server database's template");
    const handle = createDatabase({ dataDir: "memory://", loadDataDir: new Blob([readFileSync(template.file)]) });
    // Applies nothing when the template is current; a migration added since would still run.
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
  if (template.kind !== "postgres") throw new Error("the global setup prepared an embedded template");
  await admin.unsafe(`create database ${name} template ${template.name}`);
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
