import { sql } from "drizzle-orm";
import { check, index, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { apiKeyScope } from "./enums";
import { organizations, users } from "./organizations";

export const apiKeys = pgTable(
  "api_keys",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    name: text("name").notNull(),
    // The first characters of the secret, shown in the console so a key can be recognised.
    prefix: text("prefix").notNull(),
    // SHA-256 of the whole secret; the secret itself is shown once and never stored. Secrets made
    // since migration 0019 end with their organization's id, so they are found by (org_id, hash);
    // older ones by the hash alone (lib/api-keys/api-key-secret.ts).
    secretHash: text("secret_hash").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, precision: 3 }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }),
    // Keys made before scopes existed wrote events, so they keep exactly that.
    scopes: apiKeyScope("scopes")
      .array()
      .notNull()
      .default(sql`'{write}'::api_key_scope[]`),
    // When this key's reading was last written to the audit log (at most once a minute).
    readLoggedAt: timestamp("read_logged_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    // org_id leads every key of an organization's data (docs/scaling.md; tests/integration/org-keys.test.ts).
    primaryKey({ columns: [t.orgId, t.id] }),
    unique("api_keys_org_secret_hash_unique").on(t.orgId, t.secretHash),
    // Keys made before 0019 carry no organization: looked up by the hash alone.
    index("api_keys_secret_hash_idx").on(t.secretHash),
    index("api_keys_org_idx").on(t.orgId, t.createdAt),
    check("api_keys_scopes_not_empty", sql`cardinality(${t.scopes}) > 0`),
  ],
);
