import "server-only";

import { Worker } from "node:worker_threads";
import { PieceWorker, runningFromSources, sourceWorker } from "./piece-worker";
import type { XlsxSheetReply, XlsxSheetWorkerData } from "./xlsx-sheet-protocol";

function startWorker(data: XlsxSheetWorkerData): Worker {
  if (runningFromSources())
    return sourceWorker(import.meta.url.replace(/off-thread-xlsx\.ts$/, "xlsx-sheet-worker.ts"), data);
  return new Worker(new URL("./xlsx-sheet-worker.ts", import.meta.url), { workerData: data });
}

/**
 * CopySheetRows and the worksheet's compression on a thread of their own (xlsx-sheet-worker.ts):
 * each piece of COPY output comes back as compressed worksheet rows with the CRC carried on, in
 * the order the pieces were sent.
 */
export class OffThreadSheetRows {
  private readonly worker: PieceWorker<XlsxSheetReply>;

  constructor(data: XlsxSheetWorkerData) {
    this.worker = new PieceWorker<XlsxSheetReply>(startWorker(data), "xlsx export");
  }

  transform(piece: Buffer): Promise<XlsxSheetReply> {
    return this.worker.send(piece);
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
