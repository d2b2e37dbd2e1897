import { sql } from "drizzle-orm";
import { index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { accessRequestStatus, auditPermission, memberRole } from "./enums";

export const organizations = pgTable("organizations", {
  id: uuid("id").primaryKey().defaultRandom(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  // Stored lower-cased so sign-in and the user filter compare emails exactly.
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  // Null for accounts that only sign in through the OIDC provider.
  passwordHash: text("password_hash"),
  createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

export const memberships = pgTable(
  "memberships",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: memberRole("role").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

// Explicit grants. Role defaults (view and export for managers) are written as grants when the
// membership is created, so an admin can revoke them like any other grant.
export const permissionGrants = pgTable(
  "permission_grants",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    permission: auditPermission("permission").notNull(),
    grantedBy: uuid("granted_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId, t.permission] })],
);

export const accessRequests = pgTable(
  "access_requests",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    message: text("message"),
    // What is asked for: audit.view (view and export, from the explorer's notice) or audit.manage
    // (from a settings page). Each is decided, and reported back, on its own.
    permission: auditPermission("permission").notNull().default("audit.view"),
    status: accessRequestStatus("status").notNull().default("pending"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    decidedBy: uuid("decided_by").references(() => users.id, { onDelete: "set null" }),
    decidedAt: timestamp("decided_at", { withTimezone: true, precision: 3 }),
    // When the requester was shown the outcome; they see it once, on their next visit.
    outcomeSeenAt: timestamp("outcome_seen_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    // org_id leads every key of an organization's data (docs/scaling.md; tests/integration/org-keys.test.ts).
    primaryKey({ columns: [t.orgId, t.id] }),
    // At most one open request per person, organization and permission: a second click is not a second request.
    uniqueIndex("access_requests_one_pending_idx")
      .on(t.orgId, t.userId, t.permission)
      .where(sql`${t.status} = 'pending'`),
    index("access_requests_org_status_idx").on(t.orgId, t.status, t.createdAt),
  ],
);
