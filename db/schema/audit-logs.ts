import { type SQL, sql } from "drizzle-orm";
import { index, inet, jsonb, pgTable, primaryKey, text, timestamp, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { auditCategory, auditLevel, auditResult } from "./enums";

/*
 * The audit log is partitioned by month on occurred_at (see the migration: drizzle has no word for
 * PARTITION BY). Every key starts with org_id so the table can later be distributed by
 * organization, and so every index serves one organization's range scan.
 *
 * Times are stored with millisecond precision: keyset cursors travel through JavaScript Dates, and
 * a microsecond the cursor cannot carry would make the next page skip or repeat rows.
 */
function auditColumns() {
  return {
    orgId: uuid("org_id").notNull(),
    id: uuid("id").notNull().defaultRandom(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, precision: 3 }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    actorId: text("actor_id"),
    actorName: text("actor_name"),
    actorEmail: text("actor_email"),
    category: auditCategory("category").notNull(),
    action: text("action").notNull(),
    description: text("description"),
    targetType: text("target_type"),
    targetId: text("target_id"),
    targetName: text("target_name"),
    result: auditResult("result").notNull(),
    level: auditLevel("level").notNull().default("information"),
    service: text("service"),
    ip: inet("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
    correlationId: text("correlation_id"),
    params: jsonb("params"),
    before: jsonb("before"),
    after: jsonb("after"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    idempotencyKey: text("idempotency_key"),
  };
}

interface AuditKeyColumns {
  actorEmail: AnyPgColumn;
  action: AnyPgColumn;
  targetName: AnyPgColumn;
  actorName: AnyPgColumn;
  ip: AnyPgColumn;
  description: AnyPgColumn;
  requestId: AnyPgColumn;
}

/*
 * Sort and search expressions. Indexes and queries must use the very same expression for the
 * planner to match them, so both are built from these functions. Text sorts use the "C" collation
 * so the order is the same on every server and in PGlite, whatever the database's locale.
 */
export function userSortKey(t: Pick<AuditKeyColumns, "actorEmail">): SQL {
  return sql`(coalesce(lower(${t.actorEmail}), '') collate "C")`;
}

export function actionSortKey(t: Pick<AuditKeyColumns, "action">): SQL {
  return sql`(${t.action} collate "C")`;
}

export function targetSortKey(t: Pick<AuditKeyColumns, "targetName">): SQL {
  return sql`(coalesce(${t.targetName}, '') collate "C")`;
}

/*
 * One lower-cased text over the fields that a free word finds anywhere inside, indexed with
 * trigrams. The request id is not in it: an opaque random token adds about 23 trigrams to the
 * row's 66, spread over thousands of distinct keys, and doubled the index's cost per insert
 * (docs/performance.md). A free word finds request ids by their start instead (requestIdKey).
 */
export function searchText(t: Omit<AuditKeyColumns, "requestId">): SQL {
  return sql`lower(coalesce(${t.actorName}, '') || ' ' || coalesce(${t.actorEmail}, '') || ' ' || coalesce(${t.targetName}, '') || ' ' || coalesce(host(${t.ip}), '') || ' ' || coalesce(${t.description}, ''))`;
}

// Equality and prefix ("C" collation: LIKE 'abc%' is an index range) on the lower-cased request id.
export function requestIdKey(t: Pick<AuditKeyColumns, "requestId">): SQL {
  return sql`(lower(${t.requestId}) collate "C")`;
}

type AuditTable = ReturnType<typeof auditColumns>;

function auditIndexes(prefix: string, { arrivals }: { arrivals: boolean }) {
  return (t: { [K in keyof AuditTable]: AnyPgColumn }) => [
    // Background consumers (notifications, streams, sealing) read each organization's new entries in
    // order of arrival (lib/worker/arrivals.ts); the archive only receives what retention moves.
    ...(arrivals ? [index(`${prefix}_org_arrival_idx`).on(t.orgId, t.receivedAt, t.id)] : []),
    primaryKey({ name: `${prefix}_pkey`, columns: [t.orgId, t.occurredAt, t.id] }),
    index(`${prefix}_org_id_idx`).on(t.orgId, t.id),
    index(`${prefix}_org_actor_idx`).on(t.orgId, t.actorId, t.occurredAt, t.id),
    index(`${prefix}_org_user_sort_idx`).on(t.orgId, userSortKey(t), t.occurredAt, t.id),
    index(`${prefix}_org_category_idx`).on(t.orgId, t.category, t.occurredAt, t.id),
    index(`${prefix}_org_action_idx`).on(t.orgId, actionSortKey(t), t.occurredAt, t.id),
    index(`${prefix}_org_target_idx`).on(t.orgId, targetSortKey(t), t.occurredAt, t.id),
    // `resource:` matches the target's id as well as its name, and `service:` the module.
    index(`${prefix}_org_target_id_idx`).on(t.orgId, sql`lower(${t.targetId})`, t.occurredAt, t.id),
    index(`${prefix}_org_service_idx`).on(t.orgId, sql`lower(${t.service})`, t.occurredAt, t.id),
    index(`${prefix}_org_request_id_idx`).on(t.orgId, requestIdKey(t), t.occurredAt, t.id),
    index(`${prefix}_org_result_idx`).on(t.orgId, t.result, t.occurredAt, t.id),
    index(`${prefix}_org_correlation_idx`)
      .on(t.orgId, t.correlationId, t.occurredAt)
      .where(sql`${t.correlationId} is not null`),
    index(`${prefix}_search_trgm_idx`).using("gin", sql`${searchText(t)} gin_trgm_ops`),
  ];
}

export const auditLogs = pgTable("audit_logs", auditColumns(), auditIndexes("audit_logs", { arrivals: true }));

// Entries past retention when the organization keeps an archive. Same shape, so the explorer,
// search and export run unchanged over either table.
export const auditLogsArchive = pgTable(
  "audit_logs_archive",
  {
    ...auditColumns(),
    archivedAt: timestamp("archived_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  auditIndexes("audit_logs_archive", { arrivals: false }),
);

// A retried ingestion batch must store nothing new. A unique index on a partitioned table has to
// include the partition key, which a client's idempotency key cannot know, so keys live here.
export const auditIdempotency = pgTable(
  "audit_idempotency",
  {
    orgId: uuid("org_id").notNull(),
    key: text("key").notNull(),
    entryId: uuid("entry_id").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, precision: 3 }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.key] })],
);

export type AuditLogTable = typeof auditLogs | typeof auditLogsArchive;
