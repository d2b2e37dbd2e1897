import { sql } from "drizzle-orm";
import { boolean, check, index, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { organizations, users } from "./organizations";

/*
 * A named search of the explorer: its whole query string as the explorer writes it (every param
 * but the page position and the selected entry). An organization view (no owner) is shown to
 * everyone in the organization as a button above the log and edited by those holding
 * audit.manage; the two the console starts with are organization views. A person's own view is
 * theirs alone until they share it with the organization.
 */
export const savedViews = pgTable(
  "saved_views",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    /** Null: an organization view. A member's views go with their account. */
    ownerId: uuid("owner_id").references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    search: text("search").notNull(),
    /** A member's view shown to everyone in the organization (organization views always are). */
    shared: boolean("shared").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    // One name per owner, and one per organization among its organization views.
    unique("saved_views_name").on(t.orgId, t.ownerId, t.name).nullsNotDistinct(),
    index("saved_views_owner_idx").on(t.orgId, t.ownerId),
    check("saved_views_name_length", sql`char_length(${t.name}) between 1 and 80`),
    check("saved_views_search_length", sql`char_length(${t.search}) <= 8192`),
  ],
);
