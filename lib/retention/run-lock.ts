import "server-only";

import type { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import type { DatabaseHandle } from "@/db/client";
import { dedicatedConnectionOptions } from "@/db/connection-options";

/*
 * One retention run at a time per database: the in-process schedule and `npm run retention` from
 * cron may overlap. Two runs would not corrupt anything (every batch is atomic and the archive
 * insert ignores duplicates) but would race for the same rows and double the load.
 *
 * On a server this is a session advisory lock on a client of its own with one connection: if the
 * process dies the connection closes and the lock goes with it. Not a connection reserved from
 * the pool: when the server ends a reserved connection, postgres.js 3.4 writes the next statement
 * (the unlock) to the dead socket from a timer, a TypeError no caller can catch. This client is
 * told when its connection closes, and then sends nothing more: the lock has already gone.
 * An embedded database belongs to one process, so a flag suffices there.
 */

export interface RunLock {
  release: () => Promise<void>;
}

const LOCK_SQL_KEY = "audit-console:retention";
const busyPglite = new WeakSet<PGlite>();

export async function tryAcquireRunLock(handle: DatabaseHandle): Promise<RunLock | null> {
  if (handle.kind === "pglite") {
    if (busyPglite.has(handle.client)) return null;
    busyPglite.add(handle.client);
    return { release: async () => void busyPglite.delete(handle.client) };
  }
  let closed = false;
  const session = postgres({
    ...dedicatedConnectionOptions(handle, "audit-console retention lock"),
    // The lock must outlive quiet stretches of a long run.
    idle_timeout: 0,
    onclose: () => {
      closed = true;
    },
  });
  const end = () => session.end({ timeout: 0 }).catch(() => {});
  try {
    const [row] = await session<{ ok: boolean }[]>`select pg_try_advisory_lock(hashtext(${LOCK_SQL_KEY})) as ok`;
    if (!row?.ok) {
      await end();
      return null;
    }
  } catch (error) {
    await end();
    throw error;
  }
  return {
    release: async () => {
      try {
        if (!closed) await session`select pg_advisory_unlock(hashtext(${LOCK_SQL_KEY}))`;
      } finally {
        await end();
      }
    },
  };
}
