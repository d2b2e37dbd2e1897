import { index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { exportFormat } from "./enums";
import { organizations, users } from "./organizations";

// A prepared export: single use, short-lived, bound to the user and organization that asked.
export const exportTokens = pgTable(
  "export_tokens",
  {
    // SHA-256 of the token handed to the browser; the token itself is never stored.
    tokenHash: text("token_hash").primaryKey(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    format: exportFormat("format").notNull(),
    // The parsed filters, as the server understood them when the modal counted.
    filters: jsonb("filters").notNull(),
    // Rows received after this instant are not part of the export: the file holds the N announced.
    snapshotAt: timestamp("snapshot_at", { withTimezone: true, precision: 3 }).notNull(),
    rowCount: integer("row_count").notNull(),
    timeZone: text("time_zone").notNull().default("UTC"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [index("export_tokens_expires_idx").on(t.expiresAt)],
);
