import { bigint, check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { streamFormat, streamState } from "./enums";
import { organizations, users } from "./organizations";

/*
 * A stream destination: every new entry of the organization that matches `query` (the explorer's
 * search language, read by the query core) is sent to `url` in order of arrival, in batches of up
 * to `batchSize` entries, or fewer once the oldest waiting one is `maxWaitSeconds` old.
 *
 * How far it has been sent is the consumer cursor "stream:<id>" (consumer_cursors), moved only
 * after the receiver answered 2xx. The batch being sent is pinned here (`batchId`, the
 * X-Audit-Delivery id, and the last entry it holds), so every retry of it sends the same entries
 * under the same id. A worker claims a destination with a lease (`leaseToken`, `leaseUntil`), so
 * several console and worker processes never send the same destination at once.
 *
 * The secret (the NDJSON signing secret, or the Splunk HEC token) is needed in clear to send, so
 * it is stored sealed (lib/security/secret-box.ts), like a webhook's.
 */
export const streamDestinations = pgTable(
  "stream_destinations",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    name: text("name").notNull(),
    format: streamFormat("format").notNull(),
    url: text("url").notNull(),
    secretCiphertext: text("secret_ciphertext").notNull(),
    /** NDJSON, after a rotation: the replaced secret, encrypted, still signing until then. */
    previousSecretCiphertext: text("previous_secret_ciphertext"),
    previousSecretUntil: timestamp("previous_secret_until", { withTimezone: true, precision: 3 }),
    query: text("query").notNull().default(""),
    batchSize: integer("batch_size").notNull().default(500),
    maxWaitSeconds: integer("max_wait_seconds").notNull().default(5),
    state: streamState("state").notNull().default("active"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    lastError: text("last_error"),
    lastErrorAt: timestamp("last_error_at", { withTimezone: true, precision: 3 }),
    /** Backoff: the destination is not tried again before this. */
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    leaseToken: uuid("lease_token"),
    leaseUntil: timestamp("lease_until", { withTimezone: true, precision: 3 }),
    /** The batch in flight: its delivery id and its last entry (inclusive); null between batches. */
    batchId: uuid("batch_id"),
    batchLastReceivedAt: timestamp("batch_last_received_at", { withTimezone: true, precision: 3 }),
    batchLastEntryId: uuid("batch_last_entry_id"),
    sentEntries: bigint("sent_entries", { mode: "number" }).notNull().default(0),
    lastDeliveredAt: timestamp("last_delivered_at", { withTimezone: true, precision: 3 }),
    pausedAt: timestamp("paused_at", { withTimezone: true, precision: 3 }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    index("stream_destinations_org_idx").on(t.orgId, t.createdAt),
    index("stream_destinations_due_idx")
      .on(t.orgId, t.nextAttemptAt)
      .where(sql`${t.state} = 'active'`),
    check("stream_destinations_batch_size_check", sql`${t.batchSize} between 1 and 1000`),
    check("stream_destinations_max_wait_check", sql`${t.maxWaitSeconds} between 1 and 3600`),
  ],
);
