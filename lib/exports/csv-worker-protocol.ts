/** What the CSV export thread answers for each piece of COPY output, in the order they came. */
export type CsvWorkerReply = { out: Uint8Array; records: number; complete: boolean } | { error: string };
