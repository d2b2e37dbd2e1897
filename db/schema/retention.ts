import { bigint, boolean, integer, pgTable, primaryKey, timestamp, uuid } from "drizzle-orm/pg-core";
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

/*
 * What retention runs have actually done, per organization and category: the explorer's banner
 * says entries are gone only up to here (a policy that was never applied removed nothing). The
 * cutoffs only move forward: a later run under a longer retention does not bring entries back.
 */
export const retentionApplied = pgTable(
  "retention_applied",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    category: auditCategory("category").notNull(),
    /** Live entries that occurred before this were removed (deleted, or moved to the archive). */
    liveCutoff: timestamp("live_cutoff", { withTimezone: true, precision: 3 }).notNull(),
    /** Archived entries that occurred before this were deleted from the archive. */
    archiveCutoff: timestamp("archive_cutoff", { withTimezone: true, precision: 3 }).notNull(),
    /** Rows the last run took out of the live log (deleted or archived), and out of the archive. */
    removed: bigint("removed", { mode: "number" }).notNull(),
    archivePurged: bigint("archive_purged", { mode: "number" }).notNull(),
    ranAt: timestamp("ran_at", { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.category] })],
);
