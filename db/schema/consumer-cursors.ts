import { pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./organizations";

/*
 * How far each background consumer (the notification matcher, each stream destination, the
 * sealer) has read an organization's entries, in order of arrival: the last (received_at, id) it
 * processed. The row is locked while a batch is processed and updated in the same transaction as
 * what the batch produced, so a batch is processed once, also across restarts and instances.
 */
export const consumerCursors = pgTable(
  "consumer_cursors",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    consumer: text("consumer").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true, precision: 3 }).notNull(),
    entryId: uuid("entry_id").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.consumer] })],
);
