import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

// Failed sign-ins per account and per IP, kept in the database so every server process agrees.
export const authThrottle = pgTable("auth_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  windowStartedAt: timestamp("window_started_at", { withTimezone: true, precision: 3 }).notNull(),
  lockedUntil: timestamp("locked_until", { withTimezone: true, precision: 3 }),
});
