/*
 * Prepares a fresh database for an end-to-end run (migrated, seeded, with one API key per demo
 * organization written to the state folder for the tests), then starts the built console on it.
 * The server database is used when E2E_DATABASE_URL or DATABASE_URL is set, else embedded PGlite.
 */
import { spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { createDatabase, type DatabaseHandle } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { memberships, permissionGrants, users } from "@/db/schema";
import { seedDatabase } from "@/db/seed";
import { DEMO_PASSWORD } from "@/db/seed/demo-accounts";
import { createApiKey } from "@/lib/api-keys/create-api-key";
import { hashPassword } from "@/lib/auth/password";
import { ROLE_DEFAULT_GRANTS } from "@/lib/auth/permissions";
import { serverLogFile } from "../tests/e2e/helpers/server-log";

const port = Number(process.env.E2E_PORT ?? 3100);
const stateDir = path.resolve(process.env.E2E_STATE_DIR ?? `.data/e2e-${port}`);
const serverUrl = process.env.E2E_DATABASE_URL ?? process.env.DATABASE_URL;

async function freshServerDatabase(base: string): Promise<string> {
  const name = `audit_e2e_${port}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function prepare(handle: DatabaseHandle) {
  await runMigrations(handle);
  const { orgs } = await seedDatabase(handle, {
    rows: Number(process.env.E2E_SEED_ROWS ?? 3000),
    seed: 7,
    now: new Date(),
  });
  const keys: Record<string, string> = {};
  for (const [slug, orgId] of Object.entries(orgs)) {
    keys[slug] = (await createApiKey(handle.db, { orgId, name: "e2e", createdBy: null })).secret;
  }
  writeFileSync(path.join(stateDir, "api-keys.json"), JSON.stringify(keys));
  await addAccessRequester(handle, orgs.acme!);
}

/*
 * Acme accounts of the test run only, for the access-request spec: it gains and loses
 * permissions while other specs run in parallel, so it must not be the demo member they check.
 */
async function addAccessRequester(handle: DatabaseHandle, acmeId: string) {
  const [user] = await handle.db
    .insert(users)
    .values({ email: "requester@acme.test", name: "Rhea Requester", passwordHash: await hashPassword(DEMO_PASSWORD) })
    .returning({ id: users.id });
  await handle.db.insert(memberships).values({ orgId: acmeId, userId: user!.id, role: "member" });
  // A manager of the test run only, with the manager's default grants (view, export) and no
  // audit.manage: the spec has it ask to manage settings and be approved, away from the demo manager.
  const [manager] = await handle.db
    .insert(users)
    .values({ email: "steward@acme.test", name: "Sam Steward", passwordHash: await hashPassword(DEMO_PASSWORD) })
    .returning({ id: users.id });
  await handle.db.insert(memberships).values({ orgId: acmeId, userId: manager!.id, role: "manager" });
  await handle.db
    .insert(permissionGrants)
    .values(ROLE_DEFAULT_GRANTS.manager.map((permission) => ({ orgId: acmeId, userId: manager!.id, permission })));
}

rmSync(stateDir, { recursive: true, force: true });
mkdirSync(stateDir, { recursive: true });
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PORT: String(port),
  HOST: "127.0.0.1",
  AUTH_SECRET: process.env.AUTH_SECRET ?? "e2e-secret-not-for-production-0123456789",
  SEED_DEMO: "false",
  // Every browser in the suite signs in from 127.0.0.1; the per-address limit is tested in integration.
  AUTH_THROTTLE_IP_LIMIT: process.env.AUTH_THROTTLE_IP_LIMIT ?? "1000",
  NEXT_DIST_DIR: process.env.NEXT_DIST_DIR ?? ".next-test",
  // The integrity spec waits for its entry's seal: every 2 s rather than the default 30.
  INTEGRITY_SEAL_INTERVAL_SECONDS: "2",
  // The explorer spec waits for its "N new entries" bar: asked every 2 s rather than 15.
  EXPLORER_POLL_SECONDS: "2",
};
if (serverUrl) {
  env.DATABASE_URL = await freshServerDatabase(serverUrl);
  const handle = createDatabase({ url: env.DATABASE_URL });
  await prepare(handle);
  await handle.close();
} else {
  delete env.DATABASE_URL;
  env.PGLITE_DATA_DIR = path.join(stateDir, "pglite");
  const handle = createDatabase({ dataDir: env.PGLITE_DATA_DIR });
  await prepare(handle);
  await handle.close();
}
writeFileSync(
  path.join(stateDir, "database.json"),
  JSON.stringify({ url: env.DATABASE_URL ?? null, dataDir: env.PGLITE_DATA_DIR ?? null }),
);

// Started the way the README starts it. Its output goes to a file: a passing run prints none of
// it, and the suite shows it when a test fails (tests/e2e/helpers/server-log-reporter.ts).
const logFile = serverLogFile(stateDir);
const log = openSync(logFile, "a");
const server = spawn("npm", ["start"], { env, stdio: ["ignore", log, log] });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => {
  // A server that stops on its own is a failure the run must show, whatever the tests say.
  if (code !== 0 && code !== null)
    process.stderr.write(`the e2e server exited with ${code}:\n${readFileSync(logFile, "utf8")}`);
  process.exit(code ?? 0);
});
