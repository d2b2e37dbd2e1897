import "server-only";

import { startWorker, type Worker } from "@/lib/worker/runner";
import { sealJob } from "./seal";

const globalForSealing = globalThis as unknown as { auditIntegritySealing?: Worker };

/**
 * Seals new entries inside the server process (once per process, whatever the module reloads).
 * `npm run worker` runs the same sealJob; both may run at once (the arrivals cursor is claimed with
 * FOR UPDATE SKIP LOCKED).
 */
export function startSealing(): Worker {
  globalForSealing.auditIntegritySealing ??= startWorker([sealJob], (line) => console.error(`[audit-console] ${line}`));
  return globalForSealing.auditIntegritySealing;
}
