import { parentPort } from "node:worker_threads";

/*
 * The thread side of PieceWorker: each piece that comes in is handed to `handle`, and the answers
 * go back in the order the pieces came, even when `handle` finishes them out of order (work in
 * libuv's pool). Once a piece fails, that failure is the answer for it and every later piece.
 */

/** What the thread answers for a piece: a result with its bytes in `out`, or why it failed. */
export type PieceReply<R> = R | { error: string };

function isWholeBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

export function servePieces<R extends { out: Uint8Array }>(handle: (piece: Uint8Array) => R | Promise<R>): void {
  const port = parentPort;
  if (!port) throw new Error("servePieces() runs in a worker thread");
  // The first failure's message: the answer for its piece and every later one.
  let failed: string | null = null;
  // `handle` threw: later pieces are not handed to it (its state is no longer trustworthy).
  let broken = false;
  let previous: Promise<void> = Promise.resolve();
  port.on("message", (piece: Uint8Array) => {
    let result: Promise<R>;
    if (broken) {
      result = Promise.reject(new Error("An earlier piece failed"));
    } else {
      try {
        // Called now, in arrival order: handlers keep state (carried bytes, row numbers, a CRC).
        result = Promise.resolve(handle(piece));
      } catch (error) {
        broken = true;
        result = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    // Awaited in turn below; until then its failure must not count as unhandled.
    result.catch(() => {});
    previous = previous.then(async () => {
      try {
        const reply = await result;
        if (failed !== null) throw new Error(failed);
        // Posting a view would copy the whole buffer behind it (zlib's output is a view of a
        // larger chunk): the bytes get a buffer of their own, which moves instead of being copied.
        const out = isWholeBuffer(reply.out) ? reply.out : new Uint8Array(reply.out);
        port.postMessage({ ...reply, out }, [out.buffer as ArrayBuffer]);
      } catch (error) {
        failed ??= error instanceof Error ? error.message : String(error);
        const reply: PieceReply<R> = { error: failed };
        port.postMessage(reply);
      }
    });
  });
}
