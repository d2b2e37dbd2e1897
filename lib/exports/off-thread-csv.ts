import "server-only";

import { Worker } from "node:worker_threads";
import type { CopyCsvOptions } from "./csv-writer";
import { OffThreadFinisher, runningFromSources, sourceWorker } from "./piece-worker";

function startWorker(options: CopyCsvOptions): Worker {
  if (runningFromSources())
    return sourceWorker(import.meta.url.replace(/off-thread-csv\.ts$/, "csv-post-process-worker.ts"), options);
  return new Worker(new URL("./csv-post-process-worker.ts", import.meta.url), { workerData: options });
}

/**
 * CopyCsvPostProcessor on a thread of its own (csv-post-process-worker.ts): the pass over every
 * byte of a CSV export no longer takes turns with rendering pages on the main thread, and it runs
 * beside the writing of the response.
 */
export class OffThreadCsvPostProcessor extends OffThreadFinisher {
  constructor(options: CopyCsvOptions) {
    super(startWorker(options), "CSV export");
  }
}
