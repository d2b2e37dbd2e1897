import { sql } from "drizzle-orm";
import {
  boolean,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import {
  auditCategory,
  auditResult,
  notificationChannelKind,
  notificationDeliveryKind,
  notificationDeliveryStatus,
  notificationGroupBy,
  notificationRuleMode,
} from "./enums";
import { organizations, users } from "./organizations";

/*
 * Where messages go. An e-mail channel names members (each is checked for audit.view when a
 * message is sent); a webhook has a URL and a secret that signs each body. The secret is needed
 * in clear to sign, so it is stored encrypted (lib/security/secret-box.ts), never hashed.
 */
export const notificationChannels = pgTable(
  "notification_channels",
  {
    id: uuid("id").notNull().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    kind: notificationChannelKind("kind").notNull(),
    name: text("name").notNull(),
    /** Webhooks only. */
    url: text("url"),
    /** Webhooks only: the signing secret, encrypted. */
    secretCiphertext: text("secret_ciphertext"),
    /** After a rotation: the replaced secret, encrypted, still signing beside the new one until then. */
    previousSecretCiphertext: text("previous_secret_ciphertext"),
    previousSecretUntil: timestamp("previous_secret_until", { withTimezone: true, precision: 3 }),
    /** E-mail only: the members to write to. */
    recipientUserIds: uuid("recipient_user_ids")
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.id] }), index("notification_channels_org_idx").on(t.orgId, t.createdAt)],
);

/*
 * A rule is a search of the explorer (q plus type/result filters, read through the one query
 * core) and what to do when entries match it: a message per entry, or one when `thresholdCount`
 * entries match within `thresholdMinutes`, per user or IP address when grouped.
 */
export const notificationRules = pgTable(
  "notification_rules",
  {
    id: uuid("id").notNull().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    query: text("query").notNull().default(""),
    types: auditCategory("types")
      .array()
      .notNull()
      .default(sql`'{}'::audit_category[]`),
    results: auditResult("results")
      .array()
      .notNull()
      .default(sql`'{}'::audit_result[]`),
    mode: notificationRuleMode("mode").notNull().default("each"),
    thresholdCount: integer("threshold_count"),
    thresholdMinutes: integer("threshold_minutes"),
    groupBy: notificationGroupBy("group_by"),
    enabled: boolean("enabled").notNull().default(false),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.id] }), index("notification_rules_org_idx").on(t.orgId, t.enabled)],
);

export const notificationRuleChannels = pgTable(
  "notification_rule_channels",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    ruleId: uuid("rule_id").notNull(),
    channelId: uuid("channel_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.ruleId, t.channelId] }),
    foreignKey({
      name: "notification_rule_channels_rule_fk",
      columns: [t.orgId, t.ruleId],
      foreignColumns: [notificationRules.orgId, notificationRules.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "notification_rule_channels_channel_fk",
      columns: [t.orgId, t.channelId],
      foreignColumns: [notificationChannels.orgId, notificationChannels.id],
    }).onDelete("cascade"),
    index("notification_rule_channels_channel_idx").on(t.orgId, t.channelId),
  ],
);

/*
 * The outbox: every message is stored here before it is sent, in the same transaction as the
 * matcher's cursor, and its id is the X-Audit-Delivery id (stable across retries). `dedupeKey`
 * (the entry id for `each`, group and window for `threshold`) makes a second match of the same
 * thing a no-op, so a batch replayed after a crash adds no second message.
 */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: uuid("id").notNull().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /**
     * Null for a test message. Not a foreign key: a message already accepted is still sent, and
     * its history kept, when its rule is deleted afterwards (the payload names the rule).
     */
    ruleId: uuid("rule_id"),
    channelId: uuid("channel_id").notNull(),
    kind: notificationDeliveryKind("kind").notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    /** The message as built when matched: the webhook body of the contract. */
    payload: jsonb("payload").notNull(),
    status: notificationDeliveryStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** While `sending`: when a worker that died mid-send gives the message up to another. */
    leaseUntil: timestamp("lease_until", { withTimezone: true, precision: 3 }),
    lastError: text("last_error"),
    /** What the last send did besides succeeding or failing, e.g. e-mail recipients skipped. */
    detail: text("detail"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    foreignKey({
      name: "notification_deliveries_channel_fk",
      columns: [t.orgId, t.channelId],
      foreignColumns: [notificationChannels.orgId, notificationChannels.id],
    }).onDelete("cascade"),
    uniqueIndex("notification_deliveries_dedupe_idx").on(t.orgId, t.channelId, t.ruleId, t.dedupeKey),
    index("notification_deliveries_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} in ('pending', 'sending')`),
    index("notification_deliveries_org_idx").on(t.orgId, t.createdAt),
  ],
);

/*
 * A threshold rule's last firing per group (user id or e-mail, IP address, or "" ungrouped):
 * a group fires again only for an entry that occurred at or after `suppressUntil` (the firing's
 * entry time plus the rule's window), so one burst is one message and the next message counts
 * only entries after the last one's. Written in the matcher's transaction, with the deliveries.
 */
export const notificationThresholdState = pgTable(
  "notification_threshold_state",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    ruleId: uuid("rule_id").notNull(),
    groupKey: text("group_key").notNull(),
    firedAt: timestamp("fired_at", { withTimezone: true, precision: 3 }).notNull(),
    suppressUntil: timestamp("suppress_until", { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.ruleId, t.groupKey] }),
    foreignKey({
      name: "notification_threshold_state_rule_fk",
      columns: [t.orgId, t.ruleId],
      foreignColumns: [notificationRules.orgId, notificationRules.id],
    }).onDelete("cascade"),
  ],
);
