import { sleep } from "./measure";

/*
 * With --read-replica, the figures mean "read from the replica" only while the console's monitor
 * keeps readers there: a replica still replaying the data set's build, or lagging past the bound,
 * sends them to the primary. The benchmark waits for "ok" before measuring and reads the state
 * again afterwards (GET /api/health, the same answer a load balancer gets).
 */

export interface ReplicaState {
  replica: string;
  replicaLagMs: number | null;
}

export async function replicaState(baseUrl: string): Promise<ReplicaState> {
  const res = await fetch(`${baseUrl}/api/health`);
  const body = (await res.json()) as { database?: { replica?: string; replicaLagMs?: number | null } };
  return { replica: body.database?.replica ?? "unknown", replicaLagMs: body.database?.replicaLagMs ?? null };
}

export async function waitForReplica(baseUrl: string, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let state = await replicaState(baseUrl);
  while (state.replica !== "ok" && Date.now() < deadline) {
    await sleep(1000);
    state = await replicaState(baseUrl);
  }
  if (state.replica !== "ok")
    throw new Error(`the replica is "${state.replica}" (lag ${state.replicaLagMs} ms) after ${timeoutMs / 1000} s`);
  log(`The replica serves the readers (lag ${state.replicaLagMs} ms).`);
}
