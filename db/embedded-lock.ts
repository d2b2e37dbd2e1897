import "server-only";

import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";

/*
 * The embedded database belongs to one process. PGlite keeps its pages in memory and writes them
 * back on its own schedule, so two processes on one data folder overwrite each other's writes:
 * an API key created by a command is unknown to the running console, and an event the console
 * accepted disappears when the command writes its older copy back. Whoever opens the folder (the
 * console for its whole life, an operator command for its run) first takes this lock.
 *
 * The lock is a file beside the data folder naming its holder: pid, the process's start time and
 * the command. A holder that died (a crash, kill -9, a reboot) leaves the file behind, so a lock is
 * held only while that pid is alive and is still the same process (its start time matches; pids are
 * reused). Anything else is stale and taken over.
 */

export interface LockHolder {
  pid: number;
  /** The process's start time as the kernel counts it (Linux), to tell a reused pid apart. */
  processStart: string | null;
  host: string;
  command: string;
  since: string;
}

export class EmbeddedDatabaseBusyError extends Error {
  constructor(
    readonly holder: LockHolder,
    readonly dataDir: string,
  ) {
    super(
      `the embedded database in ${dataDir} is in use by ${holder.command} (pid ${holder.pid}, since ${holder.since}). ` +
        "It belongs to one process at a time: stop that process first (npm start holds it while the console runs).",
    );
    this.name = "EmbeddedDatabaseBusyError";
  }
}

/** Where the lock of a PGlite data folder lives: `.data/pglite` is locked by `.data/pglite.lock`. */
export function lockFileOf(dataDir: string): string {
  return `${path.resolve(dataDir)}.lock`;
}

/** A data folder PGlite keeps in memory or in the browser needs no lock. */
export function isOnDisk(dataDir: string): boolean {
  return !dataDir.includes("://");
}

function processStartOf(pid: number): string | null {
  try {
    // Field 22 of /proc/PID/stat, counted after the command name (which may contain spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(holder: LockHolder): boolean {
  // Another machine's pid says nothing here (a shared folder): treat its lock as held.
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const start = processStartOf(holder.pid);
  return holder.processStart === null || start === null || start === holder.processStart;
}

function readHolder(file: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<LockHolder>;
    return typeof parsed.pid === "number" && typeof parsed.host === "string" ? (parsed as LockHolder) : null;
  } catch {
    return null;
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function removeStale(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

function describeSelf(command: string): LockHolder {
  return {
    pid: process.pid,
    processStart: processStartOf(process.pid),
    host: hostname(),
    command,
    since: new Date().toISOString(),
  };
}

const held = new Map<string, () => void>();

/**
 * Takes the lock of `dataDir` for this process (creating the folder's parents) and returns its
 * release; throws EmbeddedDatabaseBusyError naming the holder when another live process has it.
 * Taking it again in the same process is a no-op. It is released when the process exits.
 */
export function lockEmbeddedDatabase(dataDir: string, command: string): () => void {
  const file = lockFileOf(dataDir);
  const existing = held.get(file);
  if (existing) return existing;
  mkdirSync(path.dirname(file), { recursive: true });
  const self = describeSelf(command);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o644);
      try {
        writeSync(fd, JSON.stringify(self));
      } finally {
        closeSync(fd);
      }
      const release = () => {
        held.delete(file);
        process.off("exit", release);
        if (readHolder(file)?.pid === process.pid) removeStale(file);
      };
      process.on("exit", release);
      held.set(file, release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readHolder(file);
    if (holder === null) {
      // Being written this very moment by another process, or garbage from a crash mid-write.
      if (ageMs(file) < 2000) throw new EmbeddedDatabaseBusyError(unknownHolder(), path.resolve(dataDir));
      removeStale(file);
      continue;
    }
    if (holder.pid === process.pid && holder.host === self.host && holder.processStart === self.processStart) {
      // This process's own lock from a module instance that did not record it (Next.js bundles).
      return () => {};
    }
    if (isAlive(holder)) throw new EmbeddedDatabaseBusyError(holder, path.resolve(dataDir));
    removeStale(file);
  }
  throw new Error(`could not take the lock ${file}: it keeps changing`);
}

function unknownHolder(): LockHolder {
  return { pid: 0, processStart: null, host: hostname(), command: "another process", since: "just now" };
}
