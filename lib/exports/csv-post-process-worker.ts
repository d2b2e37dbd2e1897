import { parentPort, workerData } from "node:worker_threads";
import { CopyCsvPostProcessor, type CopyCsvOptions } from "./csv-writer";
import type { CsvWorkerReply } from "./csv-worker-protocol";

/*
 * The thread that finishes a CSV export's COPY output (CopyCsvPostProcessor), one per export, so
 * that the pass over every byte neither takes turns with rendering pages on the main thread nor
 * waits for the response to be written: the two run side by side on the two cores.
 */

function isWholeBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

const port = parentPort!;
const processor = new CopyCsvPostProcessor(workerData as CopyCsvOptions);
port.on("message", (piece: Uint8Array) => {
  let reply: CsvWorkerReply;
  try {
    const out = processor.transform(piece);
    reply = { out, records: processor.records, complete: processor.complete };
    // A buffer of its own moves to the other thread; a slice of Node's shared pool is copied.
    port.postMessage(reply, isWholeBuffer(out) ? [out.buffer as ArrayBuffer] : []);
  } catch (error) {
    reply = { error: error instanceof Error ? error.message : String(error) };
    port.postMessage(reply);
  }
});
