import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { exportFormat } from "./enums";
import { organizations, users } from "./organizations";

// A prepared export: single use, short-lived, bound to the user and organization that asked.
export const exportTokens = pgTable(
  "export_tokens",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    // SHA-256 of the token handed to the browser; the token itself is never stored. Tokens end
    // with their organization's id, so the download finds the row by (org_id, token_hash).
    tokenHash: text("token_hash").notNull(),
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
  (t) => [
    // org_id leads every key of an organization's data (docs/scaling.md; tests/integration/org-keys.test.ts).
    primaryKey({ columns: [t.orgId, t.tokenHash] }),
    // Used and expired tokens are deleted per organization as it makes new ones.
    index("export_tokens_org_expires_idx").on(t.orgId, t.expiresAt),
  ],
);
