import "server-only";

import { consumeArrivals, type ConsumeOptions } from "@/lib/worker/arrivals";
import { inFlightJob } from "@/lib/worker/in-flight-job";
import type { Job } from "@/lib/worker/runner";
import { notificationMatcher } from "./matcher";
import { startDueDeliveries, type SenderOptions } from "./sender";

/*
 * The notification jobs of the background worker (lib/worker/runner.ts): matching new entries
 * against the rules, and sending the outbox. Both claim their work in the database, so any number
 * of console processes and `npm run worker` processes may run them at once.
 */

export interface NotificationJobOptions {
  matcher?: ConsumeOptions;
  sender?: SenderOptions;
  /** Pause of a job that found nothing to do. */
  idleMs?: number;
  /** Messages one process sends at once. */
  maxInFlight?: number;
}

// A statement per batch matches every rule, so larger batches spread that cost over more entries.
const MATCH_BATCH = 1000;

function senderJob(options: SenderOptions, idleMs: number, maxInFlight: number, log: (line: string) => void): Job {
  return inFlightJob(
    "notification sender",
    idleMs,
    maxInFlight,
    (room) => startDueDeliveries({ ...options, batchSize: Math.min(room, options.batchSize ?? 50) }),
    log,
    "the message is sent again after its lease",
  );
}

export function notificationJobs(
  options: NotificationJobOptions = {},
  log: (line: string) => void = console.error,
): Job[] {
  const idleMs = options.idleMs ?? 500;
  return [
    {
      name: "notification matcher",
      idleMs,
      run: () => consumeArrivals(notificationMatcher, { batchSize: MATCH_BATCH, ...options.matcher }),
    },
    senderJob(options.sender ?? {}, idleMs, options.maxInFlight ?? 100, log),
  ];
}
