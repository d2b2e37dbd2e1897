import { workerData } from "node:worker_threads";
import { CopyNdjsonWriter } from "./ndjson-writer";
import { servePieces } from "./piece-worker-thread";
import type { CsvWorkerReply } from "./csv-worker-protocol";

/*
 * The thread that writes an NDJSON stream's lines from COPY's CSV (CopyNdjsonWriter), one per
 * stream: PostgreSQL sends plain columns on one core while the lines are written on the other.
 */

const writer = new CopyNdjsonWriter((workerData as { permalinkPrefix: string }).permalinkPrefix);
servePieces<CsvWorkerReply>((piece) => {
  const out = writer.transform(piece);
  return { out, records: writer.records, complete: writer.complete };
});
