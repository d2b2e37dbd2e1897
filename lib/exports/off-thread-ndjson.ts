import "server-only";

import { Worker } from "node:worker_threads";
import { OffThreadFinisher, runningFromSources, sourceWorker } from "./piece-worker";

function startWorker(options: { permalinkPrefix: string }): Worker {
  if (runningFromSources())
    return sourceWorker(import.meta.url.replace(/off-thread-ndjson\.ts$/, "ndjson-writer-worker.ts"), options);
  return new Worker(new URL("./ndjson-writer-worker.ts", import.meta.url), { workerData: options });
}

/**
 * CopyNdjsonWriter on a thread of its own (ndjson-writer-worker.ts): writing the lines neither
 * takes turns with rendering pages on the main thread nor waits for the response to be written.
 */
export class OffThreadNdjsonWriter extends OffThreadFinisher {
  constructor(options: { permalinkPrefix: string }) {
    super(startWorker(options), "NDJSON stream");
  }
}
