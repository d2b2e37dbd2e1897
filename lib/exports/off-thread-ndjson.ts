import "server-only";

import { Worker } from "node:worker_threads";
import type { CsvWorkerReply } from "./csv-worker-protocol";
import type { FinishedPiece } from "./off-thread-csv";
import { PieceWorker, runningFromSources, sourceWorker } from "./piece-worker";

function startWorker(options: { permalinkPrefix: string }): Worker {
  if (runningFromSources())
    return sourceWorker(import.meta.url.replace(/off-thread-ndjson\.ts$/, "ndjson-writer-worker.ts"), options);
  return new Worker(new URL("./ndjson-writer-worker.ts", import.meta.url), { workerData: options });
}

/**
 * CopyNdjsonWriter on a thread of its own (ndjson-writer-worker.ts): writing the lines neither
 * takes turns with rendering pages on the main thread nor waits for the response to be written.
 * Pieces are answered in the order they were sent.
 */
export class OffThreadNdjsonWriter {
  records = 0;
  complete = true;
  private readonly worker: PieceWorker<CsvWorkerReply>;

  constructor(options: { permalinkPrefix: string }) {
    this.worker = new PieceWorker<CsvWorkerReply>(startWorker(options), "NDJSON stream");
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
