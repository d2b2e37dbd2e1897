import "server-only";

import { consumeArrivals, type ConsumeOptions } from "@/lib/worker/arrivals";
import type { Job } from "@/lib/worker/runner";
import { notificationMatcher } from "./matcher";
import { sendDueDeliveries, type SenderOptions } from "./sender";

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
}

export function notificationJobs(options: NotificationJobOptions = {}): Job[] {
  const idleMs = options.idleMs ?? 500;
  return [
    { name: "notification matcher", idleMs, run: () => consumeArrivals(notificationMatcher, options.matcher) },
    { name: "notification sender", idleMs, run: () => sendDueDeliveries(options.sender) },
  ];
}
