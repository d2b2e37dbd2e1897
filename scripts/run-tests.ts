/*
 * The whole suite: unit and integration tests (vitest) against the server database when
 * DATABASE_URL or TEST_DATABASE_URL is set, else embedded PGlite; then a production build and the
 * end-to-end tests in Chromium against it, on the same kind of database.
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

if (only !== "e2e") run("unit and integration tests", "npx", ["vitest", "run"]);
if (only !== "unit") {
  if (process.env.E2E_SKIP_BUILD !== "1")
    run("production build", "npm", ["run", "build"], { ...process.env, NEXT_DIST_DIR: distDir });
  run("end-to-end tests", "npx", ["playwright", "test"], { ...process.env, NEXT_DIST_DIR: distDir });
}
