import "server-only";

import { Worker } from "node:worker_threads";
import type { CsvWorkerReply } from "./csv-worker-protocol";
import { isWholeBuffer, type PieceReply } from "./piece-worker-thread";

// Outside a build (vitest runs the TypeScript sources) a worker's entry is TypeScript too: it is
// loaded through tsx's loader, registered inside the new thread.
const SOURCES_ENTRY = `import("tsx/esm/api").then(({ register }) => { register(); return import(require("node:worker_threads").workerData.entry); })`;

/**
 * True when this code runs from its TypeScript sources (tests, the benchmark's scripts), not from
 * a Next.js build. Next.js compiles `process.env.NEXT_RUNTIME` into its server bundles as
 * "nodejs". The module's own URL cannot tell: Turbopack's import.meta.url names the source file
 * (`.../off-thread-csv.ts`) in a build too, and deciding by it sent every production export's
 * thread through tsx, a development dependency, compiling the sources on each start
 * (docs/performance-history.md, "export threads from the build").
 */
export function runningFromSources(): boolean {
  return process.env.NEXT_RUNTIME !== "nodejs";
}

/** A worker on a TypeScript entry, for code that runs from its sources. */
export function sourceWorker(entryUrl: string, workerData: object): Worker {
  return new Worker(SOURCES_ENTRY, { eval: true, workerData: { ...workerData, entry: entryUrl } });
}

interface Waiting<R> {
  resolve: (reply: R) => void;
  reject: (error: Error) => void;
}

/**
 * The side of an export thread that sends it pieces of a stream and takes back what it made of
 * each, in the order they were sent (piece-worker-thread.ts answers in order). A failure there
 * fails that piece and every piece after it: a stream with a hole in it is never finished.
 */
export class PieceWorker<R extends object> {
  private readonly waiting: Waiting<R>[] = [];
  private failure: Error | null = null;

  constructor(
    private readonly worker: Worker,
    /** Says which thread stopped, in the error a stopped thread leaves behind. */
    private readonly label: string,
  ) {
    worker.on("message", (reply: PieceReply<R>) => {
      const waiting = this.waiting.shift();
      if ("error" in reply) {
        this.fail(new Error(reply.error));
        waiting?.reject(this.failure!);
        return;
      }
      waiting?.resolve(reply);
    });
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => this.fail(new Error(`The ${label} thread stopped (exit code ${code})`)));
  }

  /** Sends a piece; a buffer of its own moves to the thread, a slice of a shared one is copied. */
  send(piece: Uint8Array): Promise<R> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(piece, isWholeBuffer(piece) ? [piece.buffer as ArrayBuffer] : []);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners("exit");
    this.fail(new Error(`The ${this.label} thread was closed`));
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.waiting.splice(0)) waiting.reject(this.failure);
  }
}

/** A finished piece, and how many records the stream holds once it is written. */
export type FinishedPiece = Pick<CsvWorkerReply, "out" | "records">;

/**
 * A thread that finishes COPY's output piece by piece (the CSV export's lines, the NDJSON
 * stream's), answering each piece with its bytes, the records so far and whether the input ended
 * between records. Pieces are answered in the order they were sent.
 */
export class OffThreadFinisher {
  records = 0;
  complete = true;
  private readonly worker: PieceWorker<CsvWorkerReply>;

  constructor(worker: Worker, label: string) {
    this.worker = new PieceWorker<CsvWorkerReply>(worker, label);
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
