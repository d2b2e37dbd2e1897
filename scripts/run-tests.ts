/*
 * The whole suite: unit and integration tests (vitest) against the server database when
 * DATABASE_URL or TEST_DATABASE_URL is set, else embedded PGlite; then a production build and the
 * end-to-end tests in Chromium against it, on the same kind of database.
 *
 * TEST_SCOPE=storage runs only what can differ between the two databases: the integration tests
 * and the end-to-end tests tagged @storage (CI runs the whole suite on the server database and
 * this scope on the embedded one). TEST_ONLY=unit or e2e runs one half; E2E_SKIP_BUILD=1 reuses
 * the build in NEXT_DIST_DIR.
 */
import { spawnSync } from "node:child_process";

function run(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  console.log(`\n=== ${label}: ${command} ${args.join(" ")}`);
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: "inherit", env });
  console.log(
    `=== ${label}: ${result.status === 0 ? "ok" : "FAILED"} in ${Math.round((performance.now() - started) / 1000)} s`,
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const distDir = process.env.NEXT_DIST_DIR ?? ".next-test";
const only = process.env.TEST_ONLY; // "unit" or "e2e"
const database = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
console.log(`Database for tests: ${database ? database.replace(/\/\/[^@]*@/, "//") : "embedded PGlite"}`);

const scope = process.env.TEST_SCOPE ?? "all";
if (scope !== "all" && scope !== "storage") {
  console.error(`TEST_SCOPE=${JSON.stringify(scope)} is not valid: expected all or storage`);
  process.exit(2);
}
const storageOnly = scope === "storage";

if (only !== "e2e") {
  if (storageOnly) run("integration tests (storage scope)", "npx", ["vitest", "run", "tests/integration"]);
  else run("unit and integration tests", "npx", ["vitest", "run"]);
}
if (only !== "unit") {
  if (process.env.E2E_SKIP_BUILD !== "1")
    run("production build", "npm", ["run", "build"], { ...process.env, NEXT_DIST_DIR: distDir });
  run(
    storageOnly ? "end-to-end tests tagged @storage" : "end-to-end tests",
    "npx",
    ["playwright", "test", ...(storageOnly ? ["--grep", "@storage"] : [])],
    { ...process.env, NEXT_DIST_DIR: distDir },
  );
}
