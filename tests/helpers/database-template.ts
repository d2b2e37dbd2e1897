import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { createDatabase } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { serverTestUrl } from "./test-database";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated database to copy: a server database's name, or a dumped PGlite data folder's file. */
    databaseTemplate: { kind: "postgres"; name: string } | { kind: "pglite"; file: string };
  }
}

/*
 * Vitest's global setup: the migrations run once per test run, into a template that each test
 * file's database is copied from (createTestDatabase). Migrating a fresh embedded database took
 * 3.3-5.2 s per file and a server database 0.6 s; copying the template is what remains.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const base = serverTestUrl();
  if (base) {
    const name = `audit_test_template_${process.pid}`;
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    const handle = createDatabase({ url: url.toString(), maxConnections: 1 });
    await runMigrations(handle);
    // A template can only be copied while nobody is connected to it.
    await handle.close();
    project.provide("databaseTemplate", { kind: "postgres", name });
    return async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  }
  const handle = createDatabase({ dataDir: "memory://" });
  await runMigrations(handle);
  if (handle.kind !== "pglite") throw new Error("expected the embedded database");
  const dump = await handle.client.dumpDataDir("none");
  await handle.close();
  const folder = mkdtempSync(path.join(tmpdir(), "audit-test-template-"));
  const file = path.join(folder, "pglite.tar");
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide("databaseTemplate", { kind: "pglite", file });
  return async () => rmSync(folder, { recursive: true, force: true });
}
