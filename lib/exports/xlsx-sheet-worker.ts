import { workerData } from "node:worker_threads";
import zlib from "node:zlib";
import { CopySheetRows } from "./copy-sheet-rows";
import { servePieces } from "./piece-worker-thread";
import type { XlsxSheetReply, XlsxSheetWorkerData } from "./xlsx-sheet-protocol";
import { deflatePieceSync } from "./zip-stream";

/*
 * The thread that turns an xlsx export's COPY output into compressed worksheet rows, one per
 * export: reading the CSV, writing the XML, its CRC and its compression all happen here, so the
 * thread that renders pages only passes bytes along. Compressing here rather than in libuv's
 * pool was as fast and kept the XML in one reused buffer (docs/performance-history.md).
 */

const options = workerData as XlsxSheetWorkerData;
const rows = new CopySheetRows(options);
let crc = options.crc;

servePieces<XlsxSheetReply>((piece) => {
  // A view of the converter's buffer, overwritten by the next piece: compressed before then.
  const xml = rows.transform(piece);
  crc = zlib.crc32(xml, crc);
  const out = xml.length > 0 ? deflatePieceSync(xml, options.level) : new Uint8Array(0);
  return { out, crc, bytesIn: xml.length, records: rows.records, complete: rows.complete };
});
