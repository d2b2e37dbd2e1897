import "server-only";

import { sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { readReplicaStatus } from "@/db/read-replica";

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

export interface ReplicaHealth {
  /** "off": no DATABASE_READ_URL; "lagging": behind by more than DATABASE_READ_MAX_LAG_MS; "down": not answering. */
  replica: "off" | "ok" | "lagging" | "down";
  /** How far behind the primary the replica was at its last check; null when off or never reached. */
  replicaLagMs: number | null;
}

/*
 * The read replica as its monitor last found it (db/replica-monitor.ts, every 2 s): no query of
 * its own, so a load balancer polling often adds nothing to the replica. Before the monitor's
 * first check has answered (a process that just started), it waits for it up to the timeout; a
 * replica that has not answered by then is down.
 */
export async function checkReplica(): Promise<ReplicaHealth> {
  const { state, lagMs } = await readReplicaStatus();
  return { replica: state === "starting" ? "down" : state, replicaLagMs: lagMs };
}
