import { customType, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./organizations";

/**
 * A bytea as a Buffer: postgres.js hands one back, PGlite a Uint8Array, copied here so that it never
 * shares memory with the embedded database's.
 */
export function byteaBuffer(value: Buffer | Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value);
}

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  toDriver: (value) => value,
  fromDriver: byteaBuffer,
});

/*
 * Sealed blocks of each organization's entries in order of arrival (docs/integrity.md). A block
 * covers the entries from (first_received_at, first_entry_id) to (last_received_at,
 * last_entry_id) inclusive; `leaves` holds, per entry in order, its id, leaf hash, occurrence time
 * and category, so that one block's row is all a check of one entry needs besides the entries
 * themselves, and so that an entry retention removed can be told from one that was deleted. The
 * header (every column but the signature and leaves, whose hash it includes) is what is hashed
 * into block_hash and signed.
 */
export const integrityBlocks = pgTable(
  "integrity_blocks",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    firstReceivedAt: timestamp("first_received_at", { withTimezone: true, precision: 3 }).notNull(),
    firstEntryId: uuid("first_entry_id").notNull(),
    lastReceivedAt: timestamp("last_received_at", { withTimezone: true, precision: 3 }).notNull(),
    lastEntryId: uuid("last_entry_id").notNull(),
    entryCount: integer("entry_count").notNull(),
    merkleRoot: text("merkle_root").notNull(),
    leavesHash: text("leaves_hash").notNull(),
    prevHash: text("prev_hash").notNull(),
    blockHash: text("block_hash").notNull(),
    keyId: text("key_id").notNull(),
    signature: text("signature").notNull(),
    sealedAt: timestamp("sealed_at", { withTimezone: true, precision: 3 }).notNull(),
    leaves: bytea("leaves").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.seq] }),
    // The block holding an entry: the first whose last entry is at or after it in arrival order.
    index("integrity_blocks_org_last_idx").on(t.orgId, t.lastReceivedAt, t.lastEntryId),
  ],
);
