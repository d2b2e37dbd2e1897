import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

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
      `[audit-console] cannot start. Invalid environment: ${name}=${JSON.stringify(value)} is not valid: expected ${accepts}`,
    );
    // One clear line, not a stack trace.
    expect(output).not.toMatch(/\n\s+at /);
  });
});
