import "server-only";

import { Worker } from "node:worker_threads";
import type { CopyCsvOptions } from "./csv-writer";
import type { CsvWorkerReply } from "./csv-worker-protocol";

// Outside a build (vitest runs the TypeScript sources) the worker's entry is TypeScript too: it is
// loaded through tsx's loader, registered inside the new thread.
const fromSources = import.meta.url.endsWith(".ts");
const SOURCES_ENTRY = `import("tsx/esm/api").then(({ register }) => { register(); return import(require("node:worker_threads").workerData.entry); })`;

function startWorker(options: CopyCsvOptions): Worker {
  if (fromSources) {
    const entry = import.meta.url.replace(/off-thread-csv\.ts$/, "csv-post-process-worker.ts");
    return new Worker(SOURCES_ENTRY, { eval: true, workerData: { ...options, entry } });
  }
  return new Worker(new URL("./csv-post-process-worker.ts", import.meta.url), { workerData: options });
}

/** A finished piece, and how many records the export holds once it is written. */
export interface FinishedPiece {
  out: Uint8Array;
  records: number;
}

interface Waiting {
  resolve: (piece: FinishedPiece) => void;
  reject: (error: Error) => void;
}

/**
 * CopyCsvPostProcessor on a thread of its own (csv-post-process-worker.ts): the pass over every
 * byte of a CSV export no longer takes turns with rendering pages on the main thread, and it runs
 * beside the writing of the response. Pieces are answered in the order they were sent.
 */
export class OffThreadCsvPostProcessor {
  records = 0;
  complete = true;
  private readonly worker: Worker;
  private readonly waiting: Waiting[] = [];
  private failure: Error | null = null;

  constructor(options: CopyCsvOptions) {
    this.worker = startWorker(options);
    this.worker.on("message", (reply: CsvWorkerReply) => {
      const waiting = this.waiting.shift();
      if ("error" in reply) {
        this.fail(new Error(reply.error));
        waiting?.reject(this.failure!);
        return;
      }
      this.records = reply.records;
      this.complete = reply.complete;
      waiting?.resolve({ out: reply.out, records: reply.records });
    });
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", (code) => this.fail(new Error(`The CSV export thread stopped (exit code ${code})`)));
  }

  transform(piece: Buffer): Promise<FinishedPiece> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<FinishedPiece>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      const own = piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength;
      this.worker.postMessage(piece, own ? [piece.buffer as ArrayBuffer] : []);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners("exit");
    this.fail(new Error("The CSV export thread was closed"));
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.waiting.splice(0)) waiting.reject(this.failure);
  }
}
