import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { expect } from "@playwright/test";

export interface ExtraConsole {
  url: string;
  stop: () => Promise<void>;
}

/**
 * A second console from the suite's build, started as the README starts it (`npm start`), with
 * settings of its own and an embedded database of its own (migrated, not seeded), so that what it
 * locks or records touches nothing the other tests use. With `dataDir` the caller owns the
 * embedded database: it is neither emptied first nor removed on stop (for a restart).
 */
export async function startExtraConsole(
  name: string,
  port: number,
  env: Record<string, string>,
  options: { dataDir?: string } = {},
): Promise<ExtraConsole> {
  const dir = path.join(process.env.E2E_STATE_DIR ?? ".data/e2e", `extra-${name}`);
  if (!options.dataDir) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  // A server left on the port (by an interrupted run) would answer for this one.
  const taken = await fetch(`http://127.0.0.1:${port}/login`).then(
    () => true,
    () => false,
  );
  if (taken) throw new Error(`the ${name} console cannot start: port ${port} is already in use`);
  const { DATABASE_URL: _serverDatabase, ...inherited } = process.env;
  const child: ChildProcess = spawn("npm", ["start"], {
    env: {
      ...inherited,
      NEXT_DIST_DIR: process.env.NEXT_DIST_DIR ?? ".next-test",
      PGLITE_DATA_DIR: options.dataDir ?? path.join(dir, "pglite"),
      SEED_DEMO: "false",
      AUTH_SECRET: "e2e-extra-secret-not-for-production-0123456789",
      PORT: String(port),
      HOST: "127.0.0.1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid, "SIGTERM");
    await exited;
    if (!options.dataDir) rmSync(dir, { recursive: true, force: true });
  };
  await expect
    .poll(
      async () => {
        if (child.exitCode !== null) throw new Error(`the ${name} console exited:\n${output}`);
        return fetch(`${url}/login`).then(
          (r) => r.status,
          () => 0,
        );
      },
      { timeout: 120_000, intervals: [250] },
    )
    .toBe(200)
    .catch(async (error: unknown) => {
      await stop();
      throw new Error(`the ${name} console did not start: ${String(error)}\n${output}`);
    });
  return { url, stop };
}
