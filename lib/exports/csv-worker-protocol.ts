/** What the CSV export thread answers for each piece of COPY output, in the order they came. */
export interface CsvWorkerReply {
  out: Uint8Array;
  records: number;
  complete: boolean;
}
