import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

/*
 * Bookkeeping of the audit log's online index builds (db/online-indexes.ts): one row per index,
 * written when its build starts and stamped when the parent index is whole. A build that was
 * interrupted has no finished_at and is resumed by the next migration run. Not an organization's
 * data: the database's own state, like drizzle's migration journal.
 */
export const onlineIndexes = pgTable("online_indexes", {
  name: text("name").primaryKey(),
  parent: text("parent").notNull(),
  definition: text("definition").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  finishedAt: timestamp("finished_at", { withTimezone: true, precision: 3 }),
});
