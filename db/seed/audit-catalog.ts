import "server-only";

import type { AuditCategory } from "../schema";

/*
 * What the seeded audit log is made of: the operations of the platform, one template each, with
 * how often they happen, what they touch, how they fail and which parameters they carry. The SQL
 * in audit-rows.ts draws rows from these templates; nothing here runs per row in JavaScript.
 *
 * Placeholders in descriptions, target names and error messages: {t} target name, {env}
 * environment, {v} the version being rolled out, {x} a value specific to the template's kind
 * (see KIND_SQL), {domain} the organization's email domain, {n} a number drawn per entry.
 */

export type ParamKind =
  | "none"
  | "login"
  | "logout"
  | "password"
  | "mfa"
  | "token"
  | "build"
  | "deploy"
  | "rollback"
  | "serviceConfig"
  | "runtime"
  | "infraConfig"
  | "backup"
  | "restore"
  | "dbConnection"
  | "dbConnectionUpdate"
  | "sync"
  | "role"
  | "permission"
  | "account"
  | "orgSettings"
  | "memberAdd"
  | "memberRemove"
  | "retention"
  | "export"
  | "apiExport"
  | "vpnProfile"
  | "vpnProfileUpdate"
  | "vpnConnect"
  | "secret"
  | "secretRotate"
  | "apiKey"
  | "domain"
  | "domainUpdate"
  | "extension"
  | "monitoringConfig"
  | "systemSettings"
  | "maintenance"
  | "webhook"
  | "webhookReceive"
  | "webhookDeliver"
  | "dbBackup"
  | "dbRestore"
  | "device"
  | "deviceUpdate"
  | "deviceDelete";

/** Who the entry is about: the actor themself, another person, the organization, or a pool. */
export type TargetRef = "self" | "user" | "organization" | keyof typeof TARGET_POOLS;

export interface AuditTemplate {
  category: AuditCategory;
  action: string;
  /** Relative frequency as a single entry. */
  weight: number;
  /** Relative frequency as an asynchronous operation (pending -> processing -> done|failed). */
  asyncWeight?: number;
  /** Processing time of an asynchronous operation, milliseconds. */
  duration?: readonly [number, number];
  description: string;
  target: TargetRef | null;
  /** Screen or feature the entry comes from. */
  service: string;
  /** Security-relevant or destructive: level `notice`. Failed sign-ins are notice regardless. */
  notice?: boolean;
  /** Only admins and managers do this. */
  privileged?: boolean;
  /** Per mille of entries the platform performs by itself (actor `[nobody]`). */
  system?: number;
  /** Per mille of entries that fail. */
  fail: number;
  /** [code, message]; failures caused by the caller's input use the code `invalid_input`. */
  errors: readonly (readonly [string, string])[];
  kind: ParamKind;
  client: "browser" | "cli" | "mixed" | "api";
}

export interface TargetPool {
  type: string;
  /** [name, id] pairs. */
  items: readonly (readonly [string, string])[];
}

function pool(type: string, prefix: string, names: readonly string[]): TargetPool {
  return { type, items: names.map((name, i) => [name, `${prefix}_${(i + 1) * 7 + 100}`] as const) };
}

export const TARGET_POOLS = {
  service: pool("service", "svc", [
    "checkout",
    "payments",
    "search-api",
    "my-service",
    "inventory",
    "notifications",
    "auth-gateway",
    "billing-worker",
    "reporting",
    "image-resizer",
    "web-frontend",
    "mobile-bff",
  ]),
  runtime: pool("runtime", "rt", [
    "k8s-prod-tokyo",
    "k8s-prod-frankfurt",
    "k8s-staging",
    "vm-pool-batch",
    "edge-osaka",
    "gpu-pool-inference",
  ]),
  volume: pool("volume", "vol", [
    "checkout-data",
    "uploads",
    "search-index",
    "grafana-data",
    "build-cache",
    "mail-spool",
  ]),
  connection: pool("database_connection", "dbc", [
    "orders-db",
    "users-replica",
    "analytics-warehouse",
    "billing-pg",
    "legacy-mysql",
    "inventory-db",
  ]),
  database: pool("database", "db", ["orders-db", "users-db", "billing-db", "inventory-db", "analytics"]),
  vpnProfile: pool("vpn_profile", "vpn", [
    "office-tokyo",
    "remote-staff",
    "contractors",
    "ci-runners",
    "datacenter-link",
  ]),
  secret: pool("secret", "sec", [
    "STRIPE_API_KEY",
    "DATABASE_URL",
    "SENTRY_DSN",
    "SENDGRID_API_KEY",
    "JWT_SIGNING_KEY",
    "S3_ACCESS_KEY",
    "GITHUB_APP_PRIVATE_KEY",
  ]),
  apiKey: pool("api_key", "key", ["ci-deploy", "terraform", "grafana-export", "backup-agent", "siem-forwarder"]),
  domain: pool("domain", "dom", [
    "api.{domain}",
    "status.{domain}",
    "shop.{domain}",
    "docs.{domain}",
    "auth.{domain}",
    "cdn.{domain}",
  ]),
  extension: pool("extension", "ext", [
    "datadog-agent",
    "prometheus-node-exporter",
    "otel-collector",
    "grafana-dashboards",
    "sentry-relay",
  ]),
  monitor: pool("monitor", "mon", [
    "checkout latency alert",
    "error budget policy",
    "disk usage alert",
    "uptime check api",
    "queue depth alert",
  ]),
  systemSetting: pool("system_setting", "cfg", [
    "session policy",
    "log forwarding",
    "default locale",
    "password policy",
    "ip allow list",
  ]),
  maintenance: pool("runtime", "rt", ["k8s-prod-tokyo", "k8s-prod-frankfurt", "k8s-staging"]),
  webhook: pool("webhook", "whk", ["github-push", "slack-alerts", "pagerduty", "stripe-events", "jira-sync"]),
  device: {
    type: "device",
    items: [
      ["macbook-pro-{n}", "dev_m{n}"],
      ["thinkpad-x1-{n}", "dev_t{n}"],
      ["iphone-15-{n}", "dev_i{n}"],
      ["pixel-8-{n}", "dev_p{n}"],
      ["surface-{n}", "dev_s{n}"],
    ],
  },
  retention: pool("retention_policy", "ret", ["auth", "service", "user", "audit", "secret", "device"]),
  auditLog: { type: "audit_log", items: [["Audit log", "audit_log"]] },
} satisfies Record<string, TargetPool>;

const INVALID = "invalid_input";

export const AUDIT_TEMPLATES: readonly AuditTemplate[] = [
  // auth
  {
    category: "auth",
    action: "login",
    weight: 150,
    description: "sign in with {x}",
    target: "self",
    service: "Sign-in",
    fail: 60,
    errors: [
      ["invalid_credentials", "Invalid email or password"],
      ["invalid_credentials", "Invalid email or password"],
      ["mfa_failed", "One-time code did not match"],
      ["account_locked", "Too many failed attempts; sign-in locked for 15 minutes"],
      [INVALID, "Validation failed: email address is malformed"],
    ],
    kind: "login",
    client: "browser",
  },
  {
    category: "auth",
    action: "logout",
    weight: 45,
    description: "sign out",
    target: "self",
    service: "Sign-in",
    fail: 0,
    errors: [],
    kind: "logout",
    client: "browser",
  },
  {
    category: "auth",
    action: "password_change",
    weight: 6,
    description: "change password",
    target: "self",
    service: "Account security",
    notice: true,
    fail: 90,
    errors: [
      ["current_password_mismatch", "Current password is incorrect"],
      [INVALID, "Validation failed: password must have at least 12 characters"],
    ],
    kind: "password",
    client: "browser",
  },
  {
    category: "auth",
    action: "mfa_enroll",
    weight: 5,
    description: "enroll {x} as second factor",
    target: "self",
    service: "Account security",
    notice: true,
    fail: 70,
    errors: [
      ["mfa_code_mismatch", "Verification code did not match the new authenticator"],
      [INVALID, "Validation failed: verification code must have 6 digits"],
    ],
    kind: "mfa",
    client: "browser",
  },
  {
    category: "auth",
    action: "token_refresh",
    weight: 40,
    description: "refresh access token for {x}",
    target: "self",
    service: "Sign-in",
    fail: 15,
    errors: [
      ["token_expired", "Refresh token expired; sign in again"],
      ["token_revoked", "Refresh token was revoked"],
    ],
    kind: "token",
    client: "cli",
  },
  // service
  {
    category: "service",
    action: "build",
    weight: 40,
    asyncWeight: 30,
    duration: [60_000, 480_000],
    description: "build service {t} from {x}",
    target: "service",
    service: "Builds",
    fail: 70,
    errors: [
      ["build_failed", "Build step `npm ci` exited with code 1"],
      ["test_failed", "3 tests failed in stage `unit`"],
      ["timeout", "Build exceeded the 30 minute limit"],
      [INVALID, "Validation failed: Dockerfile path does not exist in the repository"],
    ],
    kind: "build",
    client: "mixed",
  },
  {
    category: "service",
    action: "deploy",
    weight: 60,
    asyncWeight: 45,
    duration: [30_000, 360_000],
    description: "deploy service {t} to {env}",
    target: "service",
    service: "Deployments",
    fail: 60,
    errors: [
      ["image_pull_failed", "Image registry.{domain}/{t}:{v} not found"],
      ["health_check_failed", "Readiness probe failed on 2 of 3 replicas"],
      ["timeout", "Rollout did not complete within 10 minutes"],
      ["quota_exceeded", "CPU quota of the {env} environment exceeded"],
      [INVALID, "Validation failed: replicas must be between 1 and 50"],
    ],
    kind: "deploy",
    client: "mixed",
  },
  {
    category: "service",
    action: "deploy service (API v1)",
    weight: 8,
    description: "deploy service {t} to {env} through the API",
    target: "service",
    service: "Public API",
    fail: 50,
    errors: [
      ["image_pull_failed", "Image registry.{domain}/{t}:{v} not found"],
      ["rate_limited", "API rate limit of 60 requests per minute exceeded"],
      [INVALID, "Validation failed: `version` is required"],
    ],
    kind: "deploy",
    client: "api",
  },
  {
    category: "service",
    action: "rollback",
    weight: 8,
    asyncWeight: 4,
    duration: [20_000, 180_000],
    description: "roll back service {t} on {env} to {x}",
    target: "service",
    service: "Deployments",
    notice: true,
    fail: 40,
    errors: [
      ["release_not_found", "Release {x} of {t} is no longer available"],
      ["health_check_failed", "Readiness probe failed on 1 of 2 replicas"],
    ],
    kind: "rollback",
    client: "mixed",
  },
  {
    category: "service",
    action: "update_config",
    weight: 25,
    description: "update configuration of service {t} on {env}",
    target: "service",
    service: "Service settings",
    fail: 40,
    errors: [
      ["conflict", "Configuration was changed by someone else; reload and retry"],
      [INVALID, "Validation failed: memory must be a quantity such as 512Mi"],
      [INVALID, "Validation failed: replicas must be between 1 and 50"],
    ],
    kind: "serviceConfig",
    client: "browser",
  },
  // infra
  {
    category: "infra",
    action: "register_runtime",
    weight: 4,
    description: "register runtime {t}",
    target: "runtime",
    service: "Runtimes",
    privileged: true,
    fail: 80,
    errors: [
      ["credentials_rejected", "The cloud provider rejected the supplied credentials"],
      [INVALID, "Validation failed: region is not supported"],
    ],
    kind: "runtime",
    client: "mixed",
  },
  {
    category: "infra",
    action: "update_config",
    weight: 12,
    description: "update configuration of runtime {t}",
    target: "runtime",
    service: "Runtimes",
    privileged: true,
    fail: 40,
    errors: [
      ["capacity_unavailable", "Instance type m6i.2xlarge is not available in the region"],
      [INVALID, "Validation failed: node count must be between 1 and 100"],
    ],
    kind: "infraConfig",
    client: "mixed",
  },
  {
    category: "infra",
    action: "deregister_runtime",
    weight: 2,
    description: "deregister runtime {t}",
    target: "runtime",
    service: "Runtimes",
    privileged: true,
    notice: true,
    fail: 100,
    errors: [["runtime_in_use", "Runtime {t} still runs 4 services"]],
    kind: "none",
    client: "browser",
  },
  // backup
  {
    category: "backup",
    action: "create_backup",
    weight: 15,
    asyncWeight: 20,
    duration: [60_000, 1_200_000],
    description: "create {x} backup of volume {t}",
    target: "volume",
    service: "Backups",
    system: 300,
    fail: 40,
    errors: [
      ["storage_quota_exceeded", "Backup storage quota of 500 GiB exceeded"],
      ["snapshot_failed", "Volume snapshot did not complete"],
      [INVALID, "Validation failed: retention must be between 1 and 365 days"],
    ],
    kind: "backup",
    client: "browser",
  },
  {
    category: "backup",
    action: "create backup (API v1)",
    weight: 4,
    description: "create {x} backup of volume {t} through the API",
    target: "volume",
    service: "Public API",
    fail: 40,
    errors: [
      ["storage_quota_exceeded", "Backup storage quota of 500 GiB exceeded"],
      [INVALID, "Validation failed: `type` must be full or incremental"],
    ],
    kind: "backup",
    client: "api",
  },
  {
    category: "backup",
    action: "restore",
    weight: 3,
    asyncWeight: 6,
    duration: [120_000, 1_800_000],
    description: "restore volume {t} from snapshot {x}",
    target: "volume",
    service: "Backups",
    notice: true,
    fail: 80,
    errors: [
      ["snapshot_not_found", "Snapshot {x} was deleted by its retention policy"],
      ["restore_failed", "Restore stopped: target volume is smaller than the snapshot"],
      [INVALID, "Validation failed: target environment must differ from the source"],
    ],
    kind: "restore",
    client: "browser",
  },
  // database
  {
    category: "database",
    action: "register_connection",
    weight: 4,
    description: "register database connection {t}",
    target: "connection",
    service: "Database connections",
    fail: 120,
    errors: [
      ["connection_refused", "Could not connect to {t}.internal:5432 (connection refused)"],
      ["tls_required", "The server requires TLS; enable SSL for this connection"],
      [INVALID, "Validation failed: port must be between 1 and 65535"],
    ],
    kind: "dbConnection",
    client: "browser",
  },
  {
    category: "database",
    action: "update_connection",
    weight: 8,
    description: "update database connection {t}",
    target: "connection",
    service: "Database connections",
    fail: 60,
    errors: [
      ["auth_failed", "Password authentication failed for user app"],
      [INVALID, "Validation failed: pool size must be between 1 and 100"],
    ],
    kind: "dbConnectionUpdate",
    client: "browser",
  },
  {
    category: "database",
    action: "run_sync",
    weight: 15,
    asyncWeight: 25,
    duration: [10_000, 600_000],
    description: "run {x} sync of {t}",
    target: "connection",
    service: "Data sync",
    system: 400,
    fail: 50,
    errors: [
      ["connection_timeout", "Connection to {t} timed out after 30 s"],
      ["schema_mismatch", "Column orders.discount_code is missing in the target"],
    ],
    kind: "sync",
    client: "browser",
  },
  // user
  {
    category: "user",
    action: "change_role",
    weight: 6,
    description: "change role of {t} from {x}",
    target: "user",
    service: "Members",
    privileged: true,
    notice: true,
    fail: 30,
    errors: [
      ["last_admin", "An organization needs at least one admin"],
      [INVALID, "Validation failed: role must be admin, manager or member"],
    ],
    kind: "role",
    client: "browser",
  },
  {
    category: "user",
    action: "grant_permission",
    weight: 6,
    description: "grant {x} to {t}",
    target: "user",
    service: "Audit permissions",
    privileged: true,
    notice: true,
    fail: 20,
    errors: [[INVALID, "Validation failed: audit.manage cannot be granted to a member"]],
    kind: "permission",
    client: "browser",
  },
  {
    category: "user",
    action: "revoke_permission",
    weight: 3,
    description: "revoke {x} from {t}",
    target: "user",
    service: "Audit permissions",
    privileged: true,
    notice: true,
    fail: 10,
    errors: [["not_granted", "The permission was already revoked"]],
    kind: "permission",
    client: "browser",
  },
  {
    category: "user",
    action: "update_account",
    weight: 10,
    description: "update account settings",
    target: "self",
    service: "Account",
    fail: 30,
    errors: [[INVALID, "Validation failed: time zone is not recognised"]],
    kind: "account",
    client: "browser",
  },
  {
    category: "user",
    action: "export user service (API v1/csv)",
    weight: 3,
    description: "export the member list as CSV through the API",
    target: "organization",
    service: "Public API",
    notice: true,
    fail: 40,
    errors: [
      ["rate_limited", "API rate limit of 60 requests per minute exceeded"],
      [INVALID, "Validation failed: unknown field `phone`"],
    ],
    kind: "apiExport",
    client: "api",
  },
  // organization
  {
    category: "organization",
    action: "update_settings",
    weight: 4,
    description: "update organization settings",
    target: "organization",
    service: "Organization settings",
    privileged: true,
    notice: true,
    fail: 30,
    errors: [[INVALID, "Validation failed: session timeout must be between 5 and 1440 minutes"]],
    kind: "orgSettings",
    client: "browser",
  },
  {
    category: "organization",
    action: "add_member",
    weight: 5,
    description: "add {t} as {x}",
    target: "user",
    service: "Members",
    privileged: true,
    fail: 40,
    errors: [
      ["already_member", "{t} is already a member"],
      [INVALID, "Validation failed: email address is malformed"],
    ],
    kind: "memberAdd",
    client: "browser",
  },
  {
    category: "organization",
    action: "remove_member",
    weight: 2,
    description: "remove {t} from the organization",
    target: "user",
    service: "Members",
    privileged: true,
    notice: true,
    fail: 30,
    errors: [["last_admin", "An organization needs at least one admin"]],
    kind: "memberRemove",
    client: "browser",
  },
  // audit
  {
    category: "audit",
    action: "update_retention",
    weight: 2,
    description: "change retention of {t} entries to {x} days",
    target: "retention",
    service: "Retention settings",
    privileged: true,
    notice: true,
    fail: 50,
    errors: [[INVALID, "Validation failed: retention must be between 30 and 2557 days"]],
    kind: "retention",
    client: "browser",
  },
  {
    category: "audit",
    action: "export",
    weight: 8,
    description: "export audit log as {x}",
    target: "auditLog",
    service: "Audit log",
    privileged: true,
    notice: true,
    fail: 25,
    errors: [
      ["export_too_large", "Exports are limited to 1,000,000 entries; narrow the search"],
      [INVALID, "Validation failed: custom period is missing its end date"],
    ],
    kind: "export",
    client: "browser",
  },
  // vpn
  {
    category: "vpn",
    action: "create_profile",
    weight: 2,
    description: "create VPN profile {t}",
    target: "vpnProfile",
    service: "VPN",
    privileged: true,
    fail: 50,
    errors: [[INVALID, "Validation failed: route 10.0.0.0/33 is not a valid CIDR"]],
    kind: "vpnProfile",
    client: "browser",
  },
  {
    category: "vpn",
    action: "update_profile",
    weight: 3,
    description: "update VPN profile {t}",
    target: "vpnProfile",
    service: "VPN",
    privileged: true,
    fail: 40,
    errors: [[INVALID, "Validation failed: DNS server must be an IP address"]],
    kind: "vpnProfileUpdate",
    client: "browser",
  },
  {
    category: "vpn",
    action: "delete_profile",
    weight: 1,
    description: "delete VPN profile {t}",
    target: "vpnProfile",
    service: "VPN",
    privileged: true,
    notice: true,
    fail: 50,
    errors: [["profile_in_use", "3 devices are connected with this profile"]],
    kind: "none",
    client: "browser",
  },
  {
    category: "vpn",
    action: "connect",
    weight: 40,
    description: "connect to VPN profile {t}",
    target: "vpnProfile",
    service: "VPN",
    fail: 35,
    errors: [
      ["handshake_timeout", "No handshake within 5 seconds"],
      ["device_not_registered", "This device is not registered for the profile"],
    ],
    kind: "vpnConnect",
    client: "browser",
  },
  // secret
  {
    category: "secret",
    action: "create_secret",
    weight: 5,
    description: "create secret {t} in {env}",
    target: "secret",
    service: "Secrets",
    fail: 40,
    errors: [
      ["already_exists", "Secret {t} already exists in {env}"],
      [INVALID, "Validation failed: secret names use A-Z, 0-9 and _"],
    ],
    kind: "secret",
    client: "mixed",
  },
  {
    category: "secret",
    action: "rotate_secret",
    weight: 6,
    asyncWeight: 5,
    duration: [5_000, 120_000],
    description: "rotate secret {t} in {env}",
    target: "secret",
    service: "Secrets",
    notice: true,
    system: 400,
    fail: 40,
    errors: [["provider_error", "Key rotation at the upstream provider failed (HTTP 502)"]],
    kind: "secretRotate",
    client: "browser",
  },
  {
    category: "secret",
    action: "delete_secret",
    weight: 1,
    description: "delete secret {t} from {env}",
    target: "secret",
    service: "Secrets",
    notice: true,
    fail: 30,
    errors: [["secret_in_use", "Secret {t} is referenced by 2 services"]],
    kind: "secret",
    client: "browser",
  },
  {
    category: "secret",
    action: "create_api_key",
    weight: 2,
    description: "create API key {t}",
    target: "apiKey",
    service: "API keys",
    privileged: true,
    notice: true,
    fail: 20,
    errors: [[INVALID, "Validation failed: expiry must be at most 365 days"]],
    kind: "apiKey",
    client: "browser",
  },
  {
    category: "secret",
    action: "revoke_api_key",
    weight: 1,
    description: "revoke API key {t}",
    target: "apiKey",
    service: "API keys",
    privileged: true,
    notice: true,
    fail: 0,
    errors: [],
    kind: "none",
    client: "browser",
  },
  // domain
  {
    category: "domain",
    action: "register_domain",
    weight: 2,
    asyncWeight: 3,
    duration: [30_000, 300_000],
    description: "register domain {t}",
    target: "domain",
    service: "Domains",
    fail: 100,
    errors: [
      ["dns_validation_failed", "CNAME record _acme-challenge.{t} not found"],
      [INVALID, "Validation failed: {t} is not a valid hostname"],
    ],
    kind: "domain",
    client: "browser",
  },
  {
    category: "domain",
    action: "update_domain",
    weight: 4,
    description: "update domain {t}",
    target: "domain",
    service: "Domains",
    fail: 40,
    errors: [[INVALID, "Validation failed: TTL must be between 60 and 86400 seconds"]],
    kind: "domainUpdate",
    client: "browser",
  },
  {
    category: "domain",
    action: "delete_domain",
    weight: 1,
    description: "delete domain {t}",
    target: "domain",
    service: "Domains",
    notice: true,
    fail: 30,
    errors: [["domain_in_use", "{t} still routes traffic to 1 service"]],
    kind: "none",
    client: "browser",
  },
  // monitoring
  {
    category: "monitoring",
    action: "install_extension",
    weight: 4,
    description: "install monitoring extension {t} {x}",
    target: "extension",
    service: "Monitoring",
    fail: 60,
    errors: [
      ["incompatible_runtime", "{t} requires runtime version 1.28 or later"],
      [INVALID, "Validation failed: API key for {t} is empty"],
    ],
    kind: "extension",
    client: "browser",
  },
  {
    category: "monitoring",
    action: "update_config",
    weight: 10,
    description: "update monitoring rule {t}",
    target: "monitor",
    service: "Monitoring",
    fail: 30,
    errors: [[INVALID, "Validation failed: threshold must be a positive number"]],
    kind: "monitoringConfig",
    client: "browser",
  },
  // system
  {
    category: "system",
    action: "update_settings",
    weight: 3,
    description: "update system setting {t}",
    target: "systemSetting",
    service: "System settings",
    privileged: true,
    notice: true,
    fail: 30,
    errors: [[INVALID, "Validation failed: value is out of range"]],
    kind: "systemSettings",
    client: "browser",
  },
  {
    category: "system",
    action: "start_maintenance",
    weight: 1,
    description: "start maintenance window on {t}",
    target: "maintenance",
    service: "Maintenance",
    privileged: true,
    notice: true,
    system: 300,
    fail: 20,
    errors: [["maintenance_overlap", "Another maintenance window is already running on {t}"]],
    kind: "maintenance",
    client: "browser",
  },
  // webhook
  {
    category: "webhook",
    action: "register_webhook",
    weight: 2,
    description: "register webhook {t}",
    target: "webhook",
    service: "Webhooks",
    fail: 60,
    errors: [
      ["endpoint_unreachable", "https://hooks.example.com/{t} did not answer the verification request"],
      [INVALID, "Validation failed: URL must use https"],
    ],
    kind: "webhook",
    client: "browser",
  },
  {
    category: "webhook",
    action: "receive_event",
    weight: 6,
    description: "receive {x} event from {t}",
    target: "webhook",
    service: "Webhooks",
    system: 1000,
    fail: 20,
    errors: [
      ["signature_mismatch", "Signature header did not match the shared secret"],
      [INVALID, "Validation failed: payload is not valid JSON"],
    ],
    kind: "webhookReceive",
    client: "browser",
  },
  {
    category: "webhook",
    action: "deliver_event",
    weight: 8,
    description: "deliver {x} event to {t}",
    target: "webhook",
    service: "Webhooks",
    system: 1000,
    fail: 60,
    errors: [
      ["http_5xx", "Endpoint answered 503 Service Unavailable"],
      ["timeout", "Endpoint did not answer within 10 seconds"],
    ],
    kind: "webhookDeliver",
    client: "browser",
  },
  // db_backup
  {
    category: "db_backup",
    action: "create_backup",
    weight: 10,
    asyncWeight: 20,
    duration: [60_000, 900_000],
    description: "back up database {t}",
    target: "database",
    service: "Database backups",
    system: 500,
    fail: 30,
    errors: [
      ["disk_full", "Backup volume is 98% full"],
      ["connection_lost", "Lost the connection to {t} during the backup"],
    ],
    kind: "dbBackup",
    client: "browser",
  },
  {
    category: "db_backup",
    action: "restore_backup",
    weight: 1,
    asyncWeight: 4,
    duration: [120_000, 1_500_000],
    description: "restore database {t} from backup {x}",
    target: "database",
    service: "Database backups",
    privileged: true,
    notice: true,
    fail: 80,
    errors: [
      ["restore_failed", 'pg_restore exited with code 1: relation "orders" already exists'],
      [INVALID, "Validation failed: point in time is outside the backup window"],
    ],
    kind: "dbRestore",
    client: "browser",
  },
  // device
  {
    category: "device",
    action: "register_device",
    weight: 5,
    description: "register device {t}",
    target: "device",
    service: "Devices",
    fail: 30,
    errors: [[INVALID, "Validation failed: serial number is required"]],
    kind: "device",
    client: "browser",
  },
  {
    category: "device",
    action: "update_device",
    weight: 5,
    description: "update device {t}",
    target: "device",
    service: "Devices",
    fail: 20,
    errors: [[INVALID, "Validation failed: OS version is not recognised"]],
    kind: "deviceUpdate",
    client: "browser",
  },
  {
    category: "device",
    action: "delete_device",
    weight: 2,
    description: "delete device {t}",
    target: "device",
    service: "Devices",
    notice: true,
    fail: 10,
    errors: [["device_not_found", "Device {t} was already removed"]],
    kind: "deviceDelete",
    client: "browser",
  },
];

/*
 * Per kind, SQL over the row's drawn values (see audit-rows.ts, layer "d"): env, vb (version
 * before), va (version after), na/nb/nc (0..999), hx (16 hex digits), tname, tid, aemail, res.
 * pidx (1-based position of the target in its pool) is there too. `x` feeds the {x} placeholder;
 * before/after are written on successful changes only.
 */
export interface KindSql {
  x?: string;
  params?: string;
  before?: string;
  after?: string;
}

const pick = (values: readonly string[], n: string) =>
  `(ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(",")}])[1 + ${n} % ${values.length}]`;
const ROLE_FROM = ["member", "manager", "member", "manager", "admin"];
const ROLE_TO = ["manager", "member", "admin", "admin", "manager"];

export const KIND_SQL: Record<ParamKind, KindSql> = {
  none: {},
  login: {
    x: pick(["password", "password", "password", "single sign-on", "passkey"], "na"),
    params: `jsonb_build_object('method', ${pick(["password", "password", "password", "oidc", "passkey"], "na")}, 'mfa', na % 3 <> 0)`,
  },
  logout: { params: `jsonb_build_object('session_minutes', 5 + na % 480)` },
  password: { params: `jsonb_build_object('other_sessions_revoked', na % 2 = 0)` },
  mfa: {
    x: pick(["an authenticator app", "a security key"], "na"),
    params: `jsonb_build_object('factor', ${pick(["totp", "webauthn"], "na")})`,
  },
  token: {
    x: pick(["kiops-cli", "kiops-cli", "terraform"], "na"),
    params: `jsonb_build_object('client', ${pick(["kiops-cli", "kiops-cli", "terraform"], "na")}, 'scope', ${pick(["deploy read", "read", "deploy read secrets"], "nb")})`,
  },
  build: {
    x: pick(["main", "main", "main", "release/2.4", "feature/checkout-redesign", "fix/timeout-retry"], "na"),
    params: `jsonb_build_object('branch', x, 'commit', substr(hx, 1, 7), 'cache', nb % 4 <> 0)`,
  },
  deploy: {
    params: `jsonb_build_object('env', env, 'version', va, 'strategy', ${pick(["rolling", "rolling", "blue-green", "canary"], "na")}, 'replicas', 2 + nb % 10)`,
    before: `jsonb_build_object('version', vb)`,
    after: `jsonb_build_object('version', va)`,
  },
  rollback: {
    x: "vb",
    params: `jsonb_build_object('env', env, 'to_version', vb, 'reason', ${pick(["error rate above SLO", "failed smoke test", "customer report"], "na")})`,
    before: `jsonb_build_object('version', va)`,
    after: `jsonb_build_object('version', vb)`,
  },
  serviceConfig: {
    params: `jsonb_build_object('env', env)`,
    before: `CASE na % 4 WHEN 0 THEN jsonb_build_object('replicas', 2 + nb % 4) WHEN 1 THEN jsonb_build_object('memory', '512Mi') WHEN 2 THEN jsonb_build_object('LOG_LEVEL', 'info') ELSE jsonb_build_object('autoscaling', jsonb_build_object('min', 2, 'max', 6)) END`,
    after: `CASE na % 4 WHEN 0 THEN jsonb_build_object('replicas', 6 + nb % 6) WHEN 1 THEN jsonb_build_object('memory', '1Gi') WHEN 2 THEN jsonb_build_object('LOG_LEVEL', 'debug') ELSE jsonb_build_object('autoscaling', jsonb_build_object('min', 3, 'max', 12)) END`,
  },
  runtime: {
    params: `jsonb_build_object('provider', ${pick(["aws", "gcp", "on-prem"], "na")}, 'region', ${pick(["ap-northeast-1", "eu-central-1", "us-east-1", "ap-northeast-3"], "nb")}, 'nodes', 3 + nc % 12)`,
  },
  infraConfig: {
    before: `CASE na % 2 WHEN 0 THEN jsonb_build_object('node_count', 3 + nb % 5) ELSE jsonb_build_object('instance_type', 'm6i.large') END`,
    after: `CASE na % 2 WHEN 0 THEN jsonb_build_object('node_count', 8 + nb % 5) ELSE jsonb_build_object('instance_type', 'm6i.xlarge') END`,
  },
  backup: {
    x: pick(["incremental", "incremental", "full"], "na"),
    params: `jsonb_build_object('type', x, 'retention_days', ${pick(["7", "30", "90"], "nb")}::int)`,
  },
  restore: {
    x: `'snap-' || substr(hx, 1, 8)`,
    params: `jsonb_build_object('snapshot', x, 'target_env', env)`,
  },
  dbConnection: {
    params: `jsonb_build_object('engine', CASE WHEN tname = 'legacy-mysql' THEN 'mysql' ELSE 'postgresql' END, 'host', tname || '.internal', 'port', CASE WHEN tname = 'legacy-mysql' THEN 3306 ELSE 5432 END, 'ssl', na % 5 <> 0)`,
  },
  dbConnectionUpdate: {
    before: `CASE na % 2 WHEN 0 THEN jsonb_build_object('pool_size', 10) ELSE jsonb_build_object('ssl_mode', 'prefer') END`,
    after: `CASE na % 2 WHEN 0 THEN jsonb_build_object('pool_size', 20 + 5 * (nb % 4)) ELSE jsonb_build_object('ssl_mode', 'verify-full') END`,
  },
  sync: {
    x: pick(["incremental", "incremental", "incremental", "full"], "na"),
    params: `jsonb_build_object('mode', x, 'tables', 3 + nb % 40)`,
  },
  role: {
    x: `${pick(ROLE_FROM, "na")} || ' to ' || ${pick(ROLE_TO, "na")}`,
    params: `jsonb_build_object('user', tname)`,
    before: `jsonb_build_object('role', ${pick(ROLE_FROM, "na")})`,
    after: `jsonb_build_object('role', ${pick(ROLE_TO, "na")})`,
  },
  permission: {
    x: pick(["audit.view", "audit.view", "audit.export", "audit.manage"], "na"),
    params: `jsonb_build_object('permission', x, 'user', tname)`,
  },
  account: {
    before: `CASE na % 3 WHEN 0 THEN jsonb_build_object('locale', 'en-US') WHEN 1 THEN jsonb_build_object('time_zone', 'UTC') ELSE jsonb_build_object('theme', 'light') END`,
    after: `CASE na % 3 WHEN 0 THEN jsonb_build_object('locale', 'ja-JP') WHEN 1 THEN jsonb_build_object('time_zone', 'Asia/Tokyo') ELSE jsonb_build_object('theme', 'dark') END`,
  },
  orgSettings: {
    before: `CASE na % 3 WHEN 0 THEN jsonb_build_object('require_mfa', false) WHEN 1 THEN jsonb_build_object('session_timeout_minutes', 480) ELSE jsonb_build_object('allowed_ip_ranges', '[]'::jsonb) END`,
    after: `CASE na % 3 WHEN 0 THEN jsonb_build_object('require_mfa', true) WHEN 1 THEN jsonb_build_object('session_timeout_minutes', 120) ELSE jsonb_build_object('allowed_ip_ranges', '["198.51.100.0/24", "2001:db8:a000::/48"]'::jsonb) END`,
  },
  memberAdd: {
    x: pick(["member", "member", "member", "manager"], "na"),
    params: `jsonb_build_object('email', tname, 'role', x)`,
  },
  memberRemove: { params: `jsonb_build_object('email', tname)` },
  retention: {
    x: `(${pick(["90", "180", "365", "730", "1095"], "nb")})`,
    params: `jsonb_build_object('category', tname)`,
    before: `jsonb_build_object('days', ${pick(["365", "365", "730", "180", "90"], "na")}::int)`,
    after: `jsonb_build_object('days', x::int)`,
  },
  export: {
    x: pick(["xlsx", "xlsx", "csv"], "na"),
    params: `jsonb_build_object('format', x, 'rows', 50 + nb * 37, 'filters', jsonb_build_object('period', ${pick(["7d", "30d", "custom", "today"], "nc")}, 'type', ${pick(["[]", '["auth"]', '["user", "audit"]', '["secret"]'], "nb")}::jsonb))`,
  },
  apiExport: {
    params: `jsonb_build_object('format', 'csv', 'fields', '["id", "email", "name", "role"]'::jsonb, 'rows', 20 + nb % 400)`,
  },
  vpnProfile: {
    params: `jsonb_build_object('protocol', 'wireguard', 'routes', jsonb_build_array('10.' || (na % 50) || '.0.0/16'), 'dns', '10.0.0.2')`,
  },
  vpnProfileUpdate: {
    before: `jsonb_build_object('routes', jsonb_build_array('10.' || (na % 50) || '.0.0/16'))`,
    after: `jsonb_build_object('routes', jsonb_build_array('10.' || (na % 50) || '.0.0/16', '172.16.' || (nb % 32) || '.0/24'))`,
  },
  vpnConnect: {
    params: `jsonb_build_object('client', ${pick(["WireGuard 1.0.16", "WireGuard 0.5.3", "kiops-vpn 2.1.0"], "na")}, 'assigned_ip', '10.8.' || (nb % 200) || '.' || (2 + nc % 250))`,
  },
  secret: {
    params: `jsonb_build_object('env', env, 'scope', 'service:' || ${pick(
      TARGET_POOLS.service.items.map((i) => i[0]),
      "na",
    )})`,
  },
  secretRotate: {
    params: `jsonb_build_object('env', env, 'reason', CASE WHEN aemail IS NULL THEN 'scheduled' ELSE 'manual' END)`,
    before: `jsonb_build_object('version', 1 + nb % 20)`,
    after: `jsonb_build_object('version', 2 + nb % 20)`,
  },
  apiKey: {
    params: `jsonb_build_object('scopes', ${pick(['["audit:write"]', '["deploy", "read"]', '["read"]'], "na")}::jsonb, 'expires_in_days', ${pick(["30", "90", "365"], "nb")}::int)`,
  },
  domain: { params: `jsonb_build_object('dns', 'managed', 'tls', 'automatic')` },
  domainUpdate: {
    before: `CASE na % 2 WHEN 0 THEN jsonb_build_object('target', 'lb-1.' || tname) ELSE jsonb_build_object('tls_min_version', '1.2') END`,
    after: `CASE na % 2 WHEN 0 THEN jsonb_build_object('target', 'lb-2.' || tname) ELSE jsonb_build_object('tls_min_version', '1.3') END`,
  },
  extension: {
    x: `(1 + na % 7) || '.' || (nb % 60) || '.' || (nc % 10)`,
    params: `jsonb_build_object('version', x, 'source', 'marketplace')`,
  },
  monitoringConfig: {
    before: `CASE na % 2 WHEN 0 THEN jsonb_build_object('threshold_ms', 500) ELSE jsonb_build_object('interval', '60s') END`,
    after: `CASE na % 2 WHEN 0 THEN jsonb_build_object('threshold_ms', 800) ELSE jsonb_build_object('interval', '15s') END`,
  },
  systemSettings: {
    before: `CASE na % 3 WHEN 0 THEN jsonb_build_object('enabled', false) WHEN 1 THEN jsonb_build_object('value', 'en') ELSE jsonb_build_object('min_length', 10) END`,
    after: `CASE na % 3 WHEN 0 THEN jsonb_build_object('enabled', true) WHEN 1 THEN jsonb_build_object('value', 'ja') ELSE jsonb_build_object('min_length', 12) END`,
  },
  maintenance: {
    params: `jsonb_build_object('duration_minutes', ${pick(["30", "60", "120"], "na")}::int, 'reason', ${pick(["PostgreSQL minor upgrade", "kernel security patch", "node pool rotation"], "nb")})`,
  },
  webhook: {
    params: `jsonb_build_object('url', 'https://hooks.example.com/' || tname, 'events', ${pick(['["deploy.finished"]', '["deploy.finished", "backup.failed"]', '["*"]'], "na")}::jsonb)`,
  },
  webhookReceive: {
    // Each source sends its own events; pidx is the webhook's position in TARGET_POOLS.webhook.
    x: `CASE pidx WHEN 1 THEN ${pick(["push", "push", "pull_request.merged", "release.published"], "na")}
      WHEN 2 THEN ${pick(["slash_command", "interactive_message"], "na")}
      WHEN 3 THEN ${pick(["incident.triggered", "incident.acknowledged", "incident.resolved"], "na")}
      WHEN 4 THEN ${pick(["payment_intent.succeeded", "invoice.paid", "charge.refunded", "payment_intent.payment_failed"], "na")}
      ELSE ${pick(["issue.updated", "issue.created", "comment.created"], "na")} END`,
    params: `jsonb_build_object('event', x, 'delivery', 'dlv_' || substr(hx, 1, 12))`,
  },
  webhookDeliver: {
    x: pick(["deploy.finished", "backup.failed", "member.added", "deploy.started"], "na"),
    params: `jsonb_build_object('event', x, 'attempt', CASE WHEN res = 'failed' THEN 1 + nb % 3 ELSE 1 END)`,
  },
  dbBackup: {
    params: `jsonb_build_object('method', ${pick(["pg_basebackup", "logical"], "na")}, 'compression', 'zstd')`,
  },
  dbRestore: {
    x: `'bk-' || substr(hx, 1, 8)`,
    params: `jsonb_build_object('backup', x, 'target_env', env)`,
  },
  device: {
    params: `jsonb_build_object('platform', ${pick(["macOS 15.1", "Windows 11 23H2", "iOS 18.1", "Android 15"], "na")}, 'serial', upper(substr(hx, 1, 10)))`,
  },
  deviceUpdate: {
    before: `jsonb_build_object('os_version', ${pick(["14.6", "13.6.7", "17.5"], "na")})`,
    after: `jsonb_build_object('os_version', ${pick(["15.1", "14.7", "18.1"], "na")})`,
  },
  deviceDelete: { params: `jsonb_build_object('reason', ${pick(["lost", "decommissioned", "replaced"], "na")})` },
};
