import { parentPort } from "node:worker_threads";

/*
 * The thread side of PieceWorker: each piece that comes in is handed to `handle`, and its answer
 * goes back at once, so the answers come in the order the pieces did. Once a piece fails, that
 * failure is the answer for it and every later piece: `handle` keeps state (carried bytes, row
 * numbers, a CRC) that can no longer be trusted.
 */

/** What the thread answers for a piece: a result with its bytes in `out`, or why it failed. */
export type PieceReply<R> = R | { error: string };

/** The bytes are the whole buffer behind them, so it can move to another thread as it is. */
export function isWholeBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

export function servePieces<R extends { out: Uint8Array }>(handle: (piece: Uint8Array) => R): void {
  const port = parentPort;
  if (!port) throw new Error("servePieces() runs in a worker thread");
  let failed: string | null = null;
  port.on("message", (piece: Uint8Array) => {
    if (failed === null) {
      try {
        const reply = handle(piece);
        // Posting a view would copy the whole buffer behind it (zlib's output is a view of a
        // larger chunk): the bytes get a buffer of their own, which moves instead of being copied.
        const out = isWholeBuffer(reply.out) ? reply.out : new Uint8Array(reply.out);
        port.postMessage({ ...reply, out }, [out.buffer as ArrayBuffer]);
        return;
      } catch (error) {
        failed = error instanceof Error ? error.message : String(error);
      }
    }
    const reply: PieceReply<R> = { error: failed };
    port.postMessage(reply);
  });
}
