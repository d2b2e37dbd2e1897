import { pgEnum } from "drizzle-orm/pg-core";

// The contract's order, which is also the order the filter panel lists them in.
export const auditCategory = pgEnum("audit_category", [
  "device",
  "infra",
  "service",
  "auth",
  "backup",
  "database",
  "user",
  "organization",
  "audit",
  "vpn",
  "secret",
  "domain",
  "monitoring",
  "system",
  "webhook",
  "db_backup",
]);

export const auditResult = pgEnum("audit_result", ["done", "failed", "pending", "processing"]);

export const auditLevel = pgEnum("audit_level", ["notice", "information"]);

export const memberRole = pgEnum("member_role", ["admin", "manager", "member"]);

export const auditPermission = pgEnum("audit_permission", ["audit.view", "audit.export", "audit.manage"]);

export const accessRequestStatus = pgEnum("access_request_status", ["pending", "approved", "declined"]);

export const exportFormat = pgEnum("export_format", ["xlsx", "csv", "ndjson"]);

// write: the ingestion API; read: the read API (GET /api/v1/audit-events).
export const apiKeyScope = pgEnum("api_key_scope", ["read", "write"]);

export type AuditCategory = (typeof auditCategory.enumValues)[number];
export type AuditResult = (typeof auditResult.enumValues)[number];
export type AuditLevel = (typeof auditLevel.enumValues)[number];
export type MemberRole = (typeof memberRole.enumValues)[number];
export type AuditPermission = (typeof auditPermission.enumValues)[number];
export type AccessRequestStatus = (typeof accessRequestStatus.enumValues)[number];
export type ExportFormat = (typeof exportFormat.enumValues)[number];
export type ApiKeyScope = (typeof apiKeyScope.enumValues)[number];

export const notificationChannelKind = pgEnum("notification_channel_kind", ["email", "webhook"]);

export const notificationRuleMode = pgEnum("notification_rule_mode", ["each", "threshold"]);

export const notificationGroupBy = pgEnum("notification_group_by", ["user", "ip"]);

// pending → sending (claimed by a worker) → delivered, or back to pending with a later attempt,
// or failed after the last attempt.
export const notificationDeliveryStatus = pgEnum("notification_delivery_status", [
  "pending",
  "sending",
  "delivered",
  "failed",
]);

export const notificationDeliveryKind = pgEnum("notification_delivery_kind", ["each", "threshold", "test"]);

export type NotificationChannelKind = (typeof notificationChannelKind.enumValues)[number];
export type NotificationRuleMode = (typeof notificationRuleMode.enumValues)[number];
export type NotificationGroupBy = (typeof notificationGroupBy.enumValues)[number];
export type NotificationDeliveryStatus = (typeof notificationDeliveryStatus.enumValues)[number];
export type NotificationDeliveryKind = (typeof notificationDeliveryKind.enumValues)[number];

// ndjson: NDJSON signed like a webhook; splunk_hec: Splunk's HTTP Event Collector (token header).
export const streamFormat = pgEnum("stream_format", ["ndjson", "splunk_hec"]);

// A destination pauses itself after repeated failure, or is paused by a person; entries wait.
export const streamState = pgEnum("stream_state", ["active", "paused"]);

export type StreamFormat = (typeof streamFormat.enumValues)[number];
export type StreamState = (typeof streamState.enumValues)[number];
