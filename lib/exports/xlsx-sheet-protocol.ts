import type { CopySheetRowsOptions } from "./copy-sheet-rows";
import type { CompressedPiece } from "./zip-stream";

/** What the xlsx sheet thread starts from: the columns, and where the worksheet stands. */
export interface XlsxSheetWorkerData extends CopySheetRowsOptions {
  /** The worksheet's CRC-32 before the first row this thread writes. */
  crc: number;
  /** zlib level of the worksheet. */
  level: number;
}

/** What the xlsx sheet thread answers for each piece of COPY output, in the order they came. */
export interface XlsxSheetReply extends CompressedPiece {
  /** Records (data rows) written so far. */
  records: number;
  /** The input so far ended between records. */
  complete: boolean;
}
