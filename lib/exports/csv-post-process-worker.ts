import { workerData } from "node:worker_threads";
import { CopyCsvPostProcessor, type CopyCsvOptions } from "./csv-writer";
import { servePieces } from "./piece-worker-thread";
import type { CsvWorkerReply } from "./csv-worker-protocol";

/*
 * The thread that finishes a CSV export's COPY output (CopyCsvPostProcessor), one per export, so
 * that the pass over every byte neither takes turns with rendering pages on the main thread nor
 * waits for the response to be written: the two run side by side on the two cores.
 */

const processor = new CopyCsvPostProcessor(workerData as CopyCsvOptions);
servePieces<CsvWorkerReply>((piece) => {
  const out = processor.transform(piece);
  return { out, records: processor.records, complete: processor.complete };
});
