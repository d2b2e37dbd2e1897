import "server-only";

import { actorDirectoryJob } from "@/lib/audit-log/actor-directory";
import { env } from "@/lib/env";
import { sealJob } from "@/lib/integrity/seal";
import { notificationJobs } from "@/lib/notifications/jobs";
import { streamJob } from "@/lib/streams/stream-jobs";
import { hourlyFoldJob } from "./hourly-fold";
import { startWorker, type Job, type Worker } from "./runner";

/*
 * The console's background jobs (notification matching and delivery, streaming entries to
 * destinations, sealing entries into signed blocks, folding the hourly roll-up, keeping the
 * directory of the log's actors): started inside the server process (db/bootstrap.ts) unless
 * WORKER_IN_PROCESS=false hands them to `npm run worker` alone. Running both is fine too; the
 * jobs claim their work in the database.
 */

export function backgroundJobs(): Job[] {
  return [...notificationJobs(), streamJob(), sealJob(), hourlyFoldJob, actorDirectoryJob()];
}

// Next.js may load this module more than once in a process; one worker per process.
const globalForWorker = globalThis as unknown as { auditConsoleWorker?: Worker };

export function startBackgroundWorker(): Worker | null {
  if (!env.WORKER_IN_PROCESS) return null;
  globalForWorker.auditConsoleWorker ??= startWorker(backgroundJobs(), (line) =>
    console.error(`[audit-console] ${line}`),
  );
  return globalForWorker.auditConsoleWorker;
}
