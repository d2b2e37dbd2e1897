import "server-only";

import { inFlightJob } from "@/lib/worker/in-flight-job";
import type { Job } from "@/lib/worker/runner";
import { startDueStreams, STREAM_POLL_MS, type StreamSenderOptions } from "./stream-sender";

/*
 * The stream job of the background worker (lib/worker/background.ts): runs in the server process
 * and in `npm run worker`, any number of them at once, since each destination is claimed with a
 * lease in the database. Destinations are served side by side (the notification sender's
 * in-flight pattern), so one slow receiver holds its own slot only.
 */
export function streamJob(
  options: StreamSenderOptions & { maxInFlight?: number; idleMs?: number } = {},
  log: (line: string) => void = console.error,
): Job {
  const { maxInFlight = 50, idleMs = STREAM_POLL_MS, ...sender } = options;
  return inFlightJob(
    "stream sender",
    idleMs,
    maxInFlight,
    (room) => startDueStreams({ ...sender, claimSize: Math.min(room, sender.claimSize ?? 50) }),
    log,
    "the destination is served again after its lease",
  );
}
