import "server-only";

import { Worker } from "node:worker_threads";
import type { CopyCsvOptions } from "./csv-writer";
import type { CsvWorkerReply } from "./csv-worker-protocol";
import { PieceWorker, runningFromSources, sourceWorker } from "./piece-worker";

function startWorker(options: CopyCsvOptions): Worker {
  if (runningFromSources())
    return sourceWorker(import.meta.url.replace(/off-thread-csv\.ts$/, "csv-post-process-worker.ts"), options);
  return new Worker(new URL("./csv-post-process-worker.ts", import.meta.url), { workerData: options });
}

/** A finished piece, and how many records the export holds once it is written. */
export type FinishedPiece = Pick<CsvWorkerReply, "out" | "records">;

/**
 * CopyCsvPostProcessor on a thread of its own (csv-post-process-worker.ts): the pass over every
 * byte of a CSV export no longer takes turns with rendering pages on the main thread, and it runs
 * beside the writing of the response. Pieces are answered in the order they were sent.
 */
export class OffThreadCsvPostProcessor {
  records = 0;
  complete = true;
  private readonly worker: PieceWorker<CsvWorkerReply>;

  constructor(options: CopyCsvOptions) {
    this.worker = new PieceWorker<CsvWorkerReply>(startWorker(options), "CSV export");
  }

  async transform(piece: Buffer): Promise<FinishedPiece> {
    const reply = await this.worker.send(piece);
    this.records = reply.records;
    this.complete = reply.complete;
    return { out: reply.out, records: reply.records };
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
