import "server-only";

import type { PGlite } from "@electric-sql/pglite";
import type { DatabaseHandle } from "@/db/client";

/*
 * One retention run at a time per database: the in-process schedule and `npm run retention` from
 * cron may overlap. Two runs would not corrupt anything (every batch is atomic and the archive
 * insert ignores duplicates) but would race for the same rows and double the load.
 *
 * On a server this is a session advisory lock on a reserved connection: if the process dies the
 * connection closes and the lock goes with it. An embedded database belongs to one process, so a
 * flag suffices.
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
  const reserved = await handle.sql.reserve();
  try {
    const [row] = await reserved<{ ok: boolean }[]>`select pg_try_advisory_lock(hashtext(${LOCK_SQL_KEY})) as ok`;
    if (!row?.ok) {
      reserved.release();
      return null;
    }
  } catch (error) {
    reserved.release();
    throw error;
  }
  return {
    release: async () => {
      try {
        await reserved`select pg_advisory_unlock(hashtext(${LOCK_SQL_KEY}))`;
      } finally {
        reserved.release();
      }
    },
  };
}
