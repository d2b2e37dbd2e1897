import "server-only";

import { sql } from "drizzle-orm";
import { getDb } from "@/db/client";

export type DatabaseHealth = { state: "ok"; latencyMs: number } | { state: "unreachable"; reason: string };

/** A load balancer waits a few seconds at most; a check that hangs is a failed check. */
export const HEALTH_TIMEOUT_MS = 2_000;

/*
 * One round trip to the primary. It goes through the same client as every request, so a pool that
 * is exhausted or a database that is down shows here as it would to a reader.
 */
export async function checkPrimary(timeoutMs: number = HEALTH_TIMEOUT_MS): Promise<DatabaseHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([getDb().execute(sql`select 1`), timeout]);
    return { state: "ok", latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { state: "unreachable", reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
