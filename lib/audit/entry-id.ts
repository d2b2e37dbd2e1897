import { randomFillSync } from "node:crypto";

const bytes = Buffer.alloc(16);
// Random bits are drawn 4 KiB at a time (512 ids), as Node's own randomUUID() caches them: one
// randomFillSync per id was a visible share of a batch's CPU (docs/performance-history.md).
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
let lastMs = 0;
let sequence = 0;

/**
 * A time-ordered UUID (version 7, RFC 9562): 48 bits of the current millisecond, then random bits.
 * Entry ids are in the `(org_id, id)` index of every partition; random (v4) ids land on a random
 * leaf page of it for each insert, which at millions of rows is a page fault per row, while
 * time-ordered ids append at the right edge. Within one millisecond a 12-bit counter in the
 * `rand_a` field keeps ids increasing (the RFC's "method 1").
 */
export function newEntryId(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    // More than 4,096 ids in one millisecond: borrow the next millisecond, as the RFC allows.
    lastMs += 1;
    sequence = 0;
  }
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  pool.copy(bytes, 8, poolOffset, poolOffset + 8);
  poolOffset += 8;
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
