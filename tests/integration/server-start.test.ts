import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

/** `npm start` as the README runs it, with `env` added; resolves with its exit code and output. */
function npmStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["start"], {
      cwd: root,
      // A port nobody listens on: if the bad value were accepted, the server would start there.
      env: { ...process.env, PORT: "3399", HOST: "127.0.0.1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`npm start did not exit:\n${output}`));
    }, 30_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

// `npm start` runs the server `npm run build` bundles; the environment is read before Next.js's
// build is needed, so bundling the server alone is enough here.
beforeAll(() => {
  const built = spawnSync("npm", ["run", "build:server"], { cwd: root, encoding: "utf8" });
  expect(built.status, built.stderr).toBe(0);
});

describe("npm start with a value it cannot read", () => {
  it.each([
    ["INGEST_MAX_BODY_BYTES", "8MiB", "a whole number of bytes from 1,024 to 1,073,741,824"],
    ["AUTH_THROTTLE_IP_LIMIT", "twenty", "a whole number from 1 to 1,000,000"],
    ["TRUSTED_PROXY_HOPS", "all", "a whole number from 0 to 20"],
  ])("%s=%s exits non-zero with a message naming it and what it accepts", async (name, value, accepts) => {
    const { code, output } = await npmStart({ [name]: value });
    expect(code).not.toBe(0);
    expect(output).toContain(
      `[audit-console] cannot start: Invalid environment: ${name}=${JSON.stringify(value)} is not valid: expected ${accepts}`,
    );
    // One clear line, not a stack trace.
    expect(output).not.toMatch(/\n\s+at /);
  });
});

/** `npm start` left running: its output so far, and its exit. */
function startLive(env: Record<string, string>, port: number) {
  const { DATABASE_URL: _server, TEST_DATABASE_URL: _test, ...inherited } = process.env;
  const child: ChildProcess = spawn("npm", ["start"], {
    cwd: root,
    env: { ...inherited, PORT: String(port), HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 90_000);
  void exited.then(() => clearTimeout(timer));
  return { output: () => output, exited };
}

describe("npm start on the embedded database", () => {
  // A build folder that does not exist: the start goes as far as the database and stops where
  // Next.js needs the build, which shows both the preparation and a start that cannot go on.
  const noBuild = { NEXT_DIST_DIR: ".next-does-not-exist" };
  const port = Number(process.env.E2E_PORT ?? 3100) + 40;
  const dir = mkdtempSync(path.join(root, ".tmp-server-start-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("creates a data folder whose parents do not exist, says what it does, and answers 503 while it prepares", async () => {
    const dataDir = path.join(dir, "fresh", "nested", "pglite");
    const server = startLive({ ...noBuild, PGLITE_DATA_DIR: dataDir, SEED_DEMO: "true" }, port);
    // Poll until the server listens; the demo data takes seconds to seed, so it answers while preparing.
    let answer: Response | null = null;
    while (!answer) {
      answer = await fetch(`http://127.0.0.1:${port}/orgs/acme/audit-logs`).catch(() => null);
      if (!answer) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("5");
    const page = await answer.text();
    expect(page).toContain("The database is being prepared…");
    expect(page).toContain('<meta http-equiv="refresh"');
    const api = await fetch(`http://127.0.0.1:${port}/api/v1/audit-events`, { method: "POST", body: "{}" });
    expect(api.status).toBe(503);
    expect(api.headers.get("retry-after")).toBe("5");
    expect(await api.json()).toEqual({
      error: "The console is starting: the database is being prepared. Retry shortly.",
    });

    expect(await server.exited).toBe(1);
    const output = server.output();
    expect(existsSync(path.join(dataDir, "PG_VERSION"))).toBe(true);
    expect(output).toContain(`[audit-console] migrating the embedded database in ${dataDir}`);
    expect(output).toContain("[audit-console] first start: seeding 20,000 demo entries into the embedded database");
    expect(output).toContain("[audit-console]   20,000 / 20,000 demo entries");
    expect(output).toMatch(/\[audit-console\] seeded the demo data in \d+\.\d s/);
    expect(output).toContain(
      "[audit-console] cannot start: Could not find a production build in the '.next-does-not-exist' directory.",
    );
    expect(output).not.toMatch(/\n\s+at /);
    // The lock is released on the way out.
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it("a data folder it cannot create: one line and exit 1", async () => {
    writeFileSync(path.join(dir, "a-file"), "");
    const server = startLive({ ...noBuild, PGLITE_DATA_DIR: path.join(dir, "a-file", "pglite") }, port);
    expect(await server.exited).toBe(1);
    const lines = server
      .output()
      .split("\n")
      .filter((line) => line.includes("cannot start"));
    expect(lines).toEqual([expect.stringMatching(/^\[audit-console\] cannot start: .*EEXIST.*a-file/)]);
    expect(server.output()).not.toMatch(/\n\s+at /);
  });

  it("refuses to start while an operator command holds the embedded database", async () => {
    const dataDir = path.join(dir, "held", "pglite");
    mkdirSync(path.dirname(dataDir), { recursive: true });
    // This test's own process stands for a running `npm run db:seed`.
    const holder = { pid: process.pid, processStart: null, host: hostname(), command: "npm run db:seed", since: "now" };
    writeFileSync(`${dataDir}.lock`, JSON.stringify(holder));
    const server = startLive({ ...noBuild, PGLITE_DATA_DIR: dataDir }, port);
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain(
      `[audit-console] cannot start: the embedded database in ${dataDir} is in use by npm run db:seed (pid ${process.pid}, since now).`,
    );
    expect(existsSync(path.join(dataDir, "PG_VERSION"))).toBe(false);
  });

  it("a server database it cannot reach: one line and exit 1", async () => {
    const server = startLive({ ...noBuild, DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" }, port);
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain(
      "[audit-console] cannot start: connecting to the server database at 127.0.0.1:1 failed: connect ECONNREFUSED 127.0.0.1:1",
    );
    expect(server.output()).not.toMatch(/\n\s+at /);
  });
});
