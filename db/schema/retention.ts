import { boolean, integer, pgTable, primaryKey, timestamp, uuid } from "drizzle-orm/pg-core";
import { auditCategory } from "./enums";
import { organizations } from "./organizations";

// Retention per category. A missing row means the default for the category's group.
export const retentionPolicies = pgTable(
  "retention_policies",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    category: auditCategory("category").notNull(),
    days: integer("days").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.category] })],
);

export const archiveSettings = pgTable("archive_settings", {
  orgId: uuid("org_id")
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  enabled: boolean("enabled").notNull().default(false),
  archiveDays: integer("archive_days").notNull().default(2557),
  updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
