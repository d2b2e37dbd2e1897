import "server-only";

/*
 * The console's background work (matching notification rules, delivering messages, streaming to
 * other systems, sealing entries): a set of jobs, each run again at once while it finds work and
 * after its interval when it does not. It runs inside the server process by default and on its own
 * with `npm run worker` (scripts/worker.ts); several of either may run at once, since every job
 * claims its work in the database (FOR UPDATE SKIP LOCKED) rather than assuming it is alone.
 */

export interface JobContext {
  signal: AbortSignal;
}

export interface Job {
  name: string;
  /** Pause between runs that found nothing to do. */
  idleMs: number;
  /** Returns how much work it did; more than zero runs it again at once. */
  run(context: JobContext): Promise<number>;
}

export interface Worker {
  /** Resolves when every job has finished its current run. */
  stop(): Promise<void>;
}

const MAX_ERROR_BACKOFF_MS = 60_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

async function loop(job: Job, signal: AbortSignal, log: (line: string) => void): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    try {
      const done = await job.run({ signal });
      if (failures > 0) log(`[worker] ${job.name}: running again`);
      failures = 0;
      if (done > 0) continue;
      await sleep(job.idleMs, signal);
    } catch (error) {
      failures += 1;
      // One line per failure, with growing pauses: a database that is down is not a stack trace a second.
      if (failures === 1 || Number.isInteger(Math.log2(failures))) {
        log(`[worker] ${job.name} failed (${failures}x): ${error instanceof Error ? error.message : String(error)}`);
      }
      await sleep(Math.min(job.idleMs * 2 ** failures, MAX_ERROR_BACKOFF_MS), signal);
    }
  }
}

export function startWorker(jobs: readonly Job[], log: (line: string) => void = console.error): Worker {
  const controller = new AbortController();
  const running = jobs.map((job) => loop(job, controller.signal, log));
  return {
    async stop() {
      controller.abort();
      await Promise.all(running);
    },
  };
}

/** Runs the jobs in turn until none finds work (tests, and `npm run worker -- --once`). */
export async function runUntilIdle(jobs: readonly Job[]): Promise<void> {
  const signal = new AbortController().signal;
  for (;;) {
    let work = 0;
    for (const job of jobs) work += await job.run({ signal });
    if (work === 0) return;
  }
}
