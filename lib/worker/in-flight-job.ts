import "server-only";

import type { Job } from "./runner";

/*
 * A job that keeps up to maxInFlight sends going and claims more as soon as there is room,
 * without waiting for the slowest of the last claim: a receiver that takes its whole timeout
 * holds one slot, not the work of every other receiver behind it. A run with nothing to claim but
 * sends still in flight waits for one of them (up to the idle pause) and counts as work, so that
 * runUntilIdle returns only when every outcome is written. Used by the notification sender and
 * the stream sender.
 */
export function inFlightJob(
  name: string,
  idleMs: number,
  maxInFlight: number,
  /** Claims up to `room` pieces of work and starts them; each promise settles with its outcome. */
  start: (room: number) => Promise<Promise<void>[]>,
  log: (line: string) => void,
  lostOutcome: string,
): Job {
  const inFlight = new Set<Promise<void>>();
  return {
    name,
    idleMs,
    async run() {
      const room = maxInFlight - inFlight.size;
      const started = room > 0 ? await start(room) : [];
      for (const send of started) {
        const tracked: Promise<void> = send
          .catch((error: unknown) =>
            log(
              `[worker] ${name}: an outcome was not written (${error instanceof Error ? error.message : String(error)}); ${lostOutcome}`,
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

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
