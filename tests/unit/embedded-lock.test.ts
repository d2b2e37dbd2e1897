import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EmbeddedDatabaseBusyError, lockEmbeddedDatabase, lockFileOf, type LockHolder } from "@/db/embedded-lock";

let dir: string;
let dataDir: string;
const releases: (() => void)[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "embedded-lock-"));
  // Parents that do not exist yet, as on a fresh clone.
  dataDir = path.join(dir, "data", "pglite");
});
afterEach(() => {
  for (const release of releases.splice(0)) release();
  rmSync(dir, { recursive: true, force: true });
});

function take(command = "test"): () => void {
  const release = lockEmbeddedDatabase(dataDir, command);
  releases.push(release);
  return release;
}

function writeHolder(holder: Partial<LockHolder>): void {
  const full: LockHolder = {
    pid: 1,
    processStart: null,
    host: hostname(),
    command: "the console (npm start)",
    since: "2026-12-01T00:00:00.000Z",
    ...holder,
  };
  mkdirSync(path.dirname(dataDir), { recursive: true });
  writeFileSync(lockFileOf(dataDir), JSON.stringify(full));
}

function processStart(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
}

/** A process that stays alive until the test ends it. */
function liveProcess() {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  releases.push(() => child.kill("SIGKILL"));
  return child;
}

describe("the embedded database's lock", () => {
  it("is a file beside the data folder naming this process, created with its parents", () => {
    take("npm run db:seed");
    const holder = JSON.parse(readFileSync(lockFileOf(dataDir), "utf8")) as LockHolder;
    expect(lockFileOf(dataDir)).toBe(`${path.resolve(dataDir)}.lock`);
    expect(holder).toMatchObject({ pid: process.pid, command: "npm run db:seed", host: hostname() });
    expect(holder.processStart).toBe(processStart(process.pid));
  });

  it("is taken again by the same process without a fuss, and released by it", () => {
    const release = take();
    expect(() => take()).not.toThrow();
    release();
    expect(existsSync(lockFileOf(dataDir))).toBe(false);
  });

  it("refuses while another live process holds it, naming the holder", () => {
    const child = liveProcess();
    writeHolder({ pid: child.pid!, processStart: processStart(child.pid!) });
    let error: unknown;
    try {
      take();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EmbeddedDatabaseBusyError);
    expect((error as Error).message).toBe(
      `the embedded database in ${path.resolve(dataDir)} is in use by the console (npm start) (pid ${child.pid}, since 2026-12-01T00:00:00.000Z). ` +
        "It belongs to one process at a time: stop that process first (npm start holds it while the console runs).",
    );
    // The holder's lock is left as it was.
    expect(JSON.parse(readFileSync(lockFileOf(dataDir), "utf8")).pid).toBe(child.pid);
  });

  it("is taken over from a process that died without releasing it (a crash, kill -9)", () => {
    const dead = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
    writeHolder({ pid: Number(dead.stdout.trim()) });
    take("npm run apikey:create");
    expect(JSON.parse(readFileSync(lockFileOf(dataDir), "utf8")).pid).toBe(process.pid);
  });

  it("is taken over when the pid lives on in another process (a reused pid)", () => {
    const child = liveProcess();
    writeHolder({ pid: child.pid!, processStart: "1" });
    take();
    expect(JSON.parse(readFileSync(lockFileOf(dataDir), "utf8")).pid).toBe(process.pid);
  });

  it("waits out a file being written this moment, and takes over an old unreadable one", () => {
    take();
    releases.pop()!();
    writeFileSync(lockFileOf(dataDir), "");
    expect(() => take()).toThrow(EmbeddedDatabaseBusyError);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockFileOf(dataDir), old, old);
    take();
    expect(JSON.parse(readFileSync(lockFileOf(dataDir), "utf8")).pid).toBe(process.pid);
  });

  it("is released when the holding process exits", async () => {
    const script = path.join(dir, "hold.mts");
    writeFileSync(
      script,
      `import { lockEmbeddedDatabase } from ${JSON.stringify(path.resolve("db/embedded-lock.ts"))};
      lockEmbeddedDatabase(${JSON.stringify(dataDir)}, "child");
      console.log("locked");`,
    );
    const child = spawnSync("npx", ["tsx", "--conditions=react-server", script], { encoding: "utf8" });
    expect(child.stdout).toContain("locked");
    expect(existsSync(lockFileOf(dataDir))).toBe(false);
    take();
  });
});
