import { sql } from "drizzle-orm";
import { boolean, check, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./organizations";

/*
 * How one person reads the console, the same in every organization they belong to. A missing row
 * or a null column means "the default": the browser's time zone (reported in a cookie), the
 * explorer's usual columns, comfortable rows, the histogram shown.
 */
export const userPreferences = pgTable(
  "user_preferences",
  {
    userId: uuid("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    /** An IANA zone chosen in the user menu; null follows the browser. */
    timeZone: text("time_zone"),
    /** The explorer columns shown (column ids, lib/audit-log/columns.ts); null: the usual ones. */
    explorerColumns: text("explorer_columns").array(),
    /** Explorer row height: null is comfortable. */
    density: text("density"),
    /** Whether the explorer shows its histogram above the table: null is shown. */
    explorerChart: boolean("explorer_chart"),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    check("user_preferences_time_zone_length", sql`char_length(${t.timeZone}) between 1 and 64`),
    check("user_preferences_density", sql`${t.density} in ('comfortable', 'compact')`),
  ],
);
