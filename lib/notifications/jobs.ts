import "server-only";

import { consumeArrivals, type ConsumeOptions } from "@/lib/worker/arrivals";
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

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/*
 * The sender keeps up to maxInFlight messages going and claims more as soon as there is room,
 * without waiting for the slowest of the last claim: a receiver that takes its whole 10 s timeout
 * holds one slot, not the messages of every other channel behind it. A run with nothing to claim
 * but messages still in flight waits for them (up to the idle pause) and counts as work, so that
 * runUntilIdle returns only when every outcome is written.
 */
function senderJob(options: SenderOptions, idleMs: number, maxInFlight: number, log: (line: string) => void): Job {
  const inFlight = new Set<Promise<void>>();
  return {
    name: "notification sender",
    idleMs,
    async run() {
      const room = maxInFlight - inFlight.size;
      const started =
        room > 0 ? await startDueDeliveries({ ...options, batchSize: Math.min(room, options.batchSize ?? 50) }) : [];
      for (const send of started) {
        const tracked: Promise<void> = send
          .catch((error: unknown) =>
            log(
              `[worker] notification sender: an outcome was not written (${error instanceof Error ? error.message : String(error)}); the message is sent again after its lease`,
            ),
          )
          .finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
      }
      if (started.length > 0) return started.length;
      if (inFlight.size === 0) return 0;
      await Promise.race([Promise.race(inFlight), pause(idleMs)]);
      return 1;
    },
  };
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
