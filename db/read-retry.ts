import "server-only";

import { isConnectionLost } from "./connection-errors";

/**
 * Runs a read, and runs it once more when it failed because its connection died. A read changes
 * nothing, so a second run is safe; the pool has dropped the dead connection by then, so the
 * second run gets a live one. A second failure is the caller's.
 */
export async function withReadRetry<T>(read: () => PromiseLike<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!isConnectionLost(error)) throw error;
    return await read();
  }
}
