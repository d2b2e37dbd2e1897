/*
 * npm run worker -- [--once]
 * The console's background jobs (notification matching and delivery, streaming, sealing, the actor
 * directory) in a process of their own,
 * for deployments that separate them from the web servers (set WORKER_IN_PROCESS=false there).
 * Any number may run beside each other and beside consoles: the jobs claim their work in the
 * database. --once runs until there is nothing left to do, then exits (cron, tests).
 * Exit code 0 on a clean stop, 1 on failure, 2 on bad usage.
 */
import { parseArgs } from "node:util";
import { setDatabaseHandle } from "@/db/client";
import { backgroundJobs } from "@/lib/worker/background";
import { runUntilIdle, startWorker } from "@/lib/worker/runner";
import { openOperatorDatabase } from "./operator-database";

function usage(message: string): never {
  console.error(`${message}\nusage: npm run worker -- [--once]`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ options: { once: { type: "boolean", default: false } }, strict: true }));
  } catch (err) {
    usage(err instanceof Error ? err.message : String(err));
  }
  const handle = openOperatorDatabase("worker", {
    whileRunning: "The console runs the worker itself (WORKER_IN_PROCESS, on by default).",
  });
  setDatabaseHandle(handle);
  const jobs = backgroundJobs();
  try {
    if (values.once) {
      await runUntilIdle(jobs);
      console.log("[worker] nothing left to do");
      return;
    }
    const worker = startWorker(jobs, (line) => console.error(line));
    console.log(`[worker] running: ${jobs.map((j) => j.name).join(", ")} (Ctrl-C stops)`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    console.log("[worker] stopping after the current runs");
    await worker.stop();
  } finally {
    setDatabaseHandle(undefined);
    await handle.close();
  }
}

main().catch((err: unknown) => {
  console.error("[worker] failed; started again, it continues where it stopped.");
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
