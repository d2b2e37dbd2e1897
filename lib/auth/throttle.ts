import "server-only";

import { inArray, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { authThrottle } from "@/db/schema";
import { env } from "@/lib/env";

/*
 * Failed sign-ins are counted per account and per client IP within a window. Past the limit the
 * key is locked for the rest of a lock period; unknown accounts are throttled exactly like real
 * ones, so the answer reveals nothing about which emails exist.
 */
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
export const THROTTLE_LOCK_MS = 15 * 60 * 1000;
// An address is allowed more failures than an account: offices share addresses.
function limits() {
  return {
    account: env.AUTH_THROTTLE_ACCOUNT_LIMIT,
    ip: env.AUTH_THROTTLE_IP_LIMIT,
  };
}

export interface ThrottleKeys {
  account: string;
  /** Null when no trusted address is known (not served by server.ts): all such share one counter. */
  ip: string | null;
}

function keyList(keys: ThrottleKeys): string[] {
  return [`account:${keys.account.toLowerCase()}`, `ip:${keys.ip ?? "unknown"}`];
}

/** The instant the caller may try again, or null when sign-in may proceed. */
export async function lockedUntil(db: Executor, keys: ThrottleKeys, now = new Date()): Promise<Date | null> {
  const rows = await db
    .select({ lockedUntil: authThrottle.lockedUntil })
    .from(authThrottle)
    .where(inArray(authThrottle.key, keyList(keys)));
  const locks = rows.map((r) => r.lockedUntil).filter((d): d is Date => d !== null && d > now);
  return locks.length ? new Date(Math.max(...locks.map((d) => d.getTime()))) : null;
}

export async function recordFailure(db: Executor, keys: ThrottleKeys, now = new Date()): Promise<void> {
  const windowStart = new Date(now.getTime() - THROTTLE_WINDOW_MS);
  const lockUntil = new Date(now.getTime() + THROTTLE_LOCK_MS);
  const [accountKey, ipKey] = keyList(keys) as [string, string];
  const { account, ip } = limits();
  for (const [key, limit] of [
    [accountKey, account],
    [ipKey, ip],
  ] as const) {
    // One statement per key: the counter restarts when its window has passed, and the lock is set
    // by the failure that reaches the limit, atomically under concurrent attempts.
    await db.execute(sql`
      insert into ${authThrottle} (key, failures, window_started_at, locked_until)
      values (${key}, 1, ${now.toISOString()}::timestamptz, ${limit <= 1 ? lockUntil.toISOString() : null}::timestamptz)
      on conflict (key) do update set
        failures = case when ${authThrottle.windowStartedAt} < ${windowStart.toISOString()}::timestamptz then 1 else ${authThrottle.failures} + 1 end,
        window_started_at = case when ${authThrottle.windowStartedAt} < ${windowStart.toISOString()}::timestamptz then excluded.window_started_at else ${authThrottle.windowStartedAt} end,
        locked_until = case
          when (case when ${authThrottle.windowStartedAt} < ${windowStart.toISOString()}::timestamptz then 1 else ${authThrottle.failures} + 1 end) >= ${limit}
          then ${lockUntil.toISOString()}::timestamptz
          else ${authThrottle.lockedUntil} end`);
  }
}

/** A successful sign-in clears the account's counter; the IP's stays, it may be guessing others. */
export async function clearAccountFailures(db: Executor, account: string): Promise<void> {
  await db.delete(authThrottle).where(inArray(authThrottle.key, [`account:${account.toLowerCase()}`]));
}
