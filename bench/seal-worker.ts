/*
 * The console's sealing job alone, in a process of its own: what `npm run worker` runs for sealing
 * in deployments that separate the jobs from the web servers. bench/integrity.ts starts it beside
 * the console in the "on" phases of the API measure, so that sealing competes with the console for
 * the machine's cores but not with the bench's senders for one event loop.
 *
 * Usage (by the bench): tsx --conditions=react-server bench/seal-worker.ts DATABASE_URL IDLE_MS
 * Prints "ready" once the job runs; stops after its current run on SIGTERM.
 */
import { createDatabase, setDatabaseHandle } from "@/db/client";
import { sealJob } from "@/lib/integrity/seal";
import { startWorker } from "@/lib/worker/runner";

async function main(): Promise<void> {
  const [url, idle] = process.argv.slice(2);
  const idleMs = Number(idle);
  if (!url || !Number.isInteger(idleMs) || idleMs <= 0) {
    console.error("usage: bench/seal-worker.ts DATABASE_URL IDLE_MS");
    process.exit(2);
  }
  const handle = createDatabase({ url, maxConnections: 2 });
  setDatabaseHandle(handle);
  const worker = startWorker([sealJob({ idleMs })], (line) => console.error(line));
  console.log("ready");
  await new Promise<void>((resolve) => process.once("SIGTERM", () => resolve()));
  await worker.stop();
  setDatabaseHandle(undefined);
  await handle.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
