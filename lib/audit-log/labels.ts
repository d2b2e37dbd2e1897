import type { AuditCategory, AuditLevel, AuditResult } from "@/db/schema/enums";

/*
 * Display labels for the enum codes. Pure and client-safe: the table, the filter panel and the
 * export all show the same words. Typed as Records over the enum types, so adding a code to the
 * enum without a label fails to compile.
 */
export const CATEGORY_LABELS: Readonly<Record<AuditCategory, string>> = {
  device: "Device",
  infra: "Infra",
  service: "Service",
  auth: "Auth",
  backup: "Backup",
  database: "Database",
  user: "User",
  organization: "Organization",
  audit: "Audit",
  vpn: "VPN",
  secret: "Secret",
  domain: "Domain",
  monitoring: "Monitoring",
  system: "System",
  webhook: "Webhook",
  db_backup: "DB Backup",
};

export const RESULT_LABELS: Readonly<Record<AuditResult, string>> = {
  done: "Success",
  failed: "Failure",
  pending: "Pending",
  processing: "Processing",
};

export const LEVEL_LABELS: Readonly<Record<AuditLevel, string>> = {
  notice: "Notice",
  information: "Information",
};
