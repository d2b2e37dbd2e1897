CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TYPE "public"."access_request_status" AS ENUM('pending', 'approved', 'declined');--> statement-breakpoint
CREATE TYPE "public"."audit_category" AS ENUM('device', 'infra', 'service', 'auth', 'backup', 'database', 'user', 'organization', 'audit', 'vpn', 'secret', 'domain', 'monitoring', 'system', 'webhook', 'db_backup');--> statement-breakpoint
CREATE TYPE "public"."audit_level" AS ENUM('notice', 'information');--> statement-breakpoint
CREATE TYPE "public"."audit_permission" AS ENUM('audit.view', 'audit.export', 'audit.manage');--> statement-breakpoint
CREATE TYPE "public"."audit_result" AS ENUM('done', 'failed', 'pending', 'processing');--> statement-breakpoint
CREATE TYPE "public"."export_format" AS ENUM('xlsx', 'csv');--> statement-breakpoint
CREATE TYPE "public"."member_role" AS ENUM('admin', 'manager', 'member');--> statement-breakpoint
CREATE TABLE "access_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"message" text,
	"status" "access_request_status" DEFAULT 'pending' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp (3) with time zone,
	"outcome_seen_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" "member_role" NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_org_id_user_id_pk" PRIMARY KEY("org_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organizations_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "permission_grants" (
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"permission" "audit_permission" NOT NULL,
	"granted_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "permission_grants_org_id_user_id_permission_pk" PRIMARY KEY("org_id","user_id","permission")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp (3) with time zone,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "api_keys_secret_hash_unique" UNIQUE("secret_hash")
);
--> statement-breakpoint
CREATE TABLE "auth_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"window_started_at" timestamp (3) with time zone NOT NULL,
	"locked_until" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_idempotency" (
	"org_id" uuid NOT NULL,
	"key" text NOT NULL,
	"entry_id" uuid NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_idempotency_org_id_key_pk" PRIMARY KEY("org_id","key")
);
--> statement-breakpoint
CREATE TABLE "audit_logs" (
	"org_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"actor_id" text,
	"actor_name" text,
	"actor_email" text,
	"category" "audit_category" NOT NULL,
	"action" text NOT NULL,
	"description" text,
	"target_type" text,
	"target_id" text,
	"target_name" text,
	"result" "audit_result" NOT NULL,
	"level" "audit_level" DEFAULT 'information' NOT NULL,
	"service" text,
	"ip" "inet",
	"user_agent" text,
	"request_id" text,
	"correlation_id" text,
	"params" jsonb,
	"before" jsonb,
	"after" jsonb,
	"error_code" text,
	"error_message" text,
	"idempotency_key" text,
	CONSTRAINT "audit_logs_pkey" PRIMARY KEY("org_id","occurred_at","id")
) PARTITION BY RANGE ("occurred_at");
--> statement-breakpoint
CREATE TABLE "audit_logs_archive" (
	"org_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"actor_id" text,
	"actor_name" text,
	"actor_email" text,
	"category" "audit_category" NOT NULL,
	"action" text NOT NULL,
	"description" text,
	"target_type" text,
	"target_id" text,
	"target_name" text,
	"result" "audit_result" NOT NULL,
	"level" "audit_level" DEFAULT 'information' NOT NULL,
	"service" text,
	"ip" "inet",
	"user_agent" text,
	"request_id" text,
	"correlation_id" text,
	"params" jsonb,
	"before" jsonb,
	"after" jsonb,
	"error_code" text,
	"error_message" text,
	"idempotency_key" text,
	"archived_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_logs_archive_pkey" PRIMARY KEY("org_id","occurred_at","id")
) PARTITION BY RANGE ("occurred_at");
--> statement-breakpoint
CREATE TABLE "export_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"format" "export_format" NOT NULL,
	"filters" jsonb NOT NULL,
	"snapshot_at" timestamp (3) with time zone NOT NULL,
	"row_count" integer NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"used_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "archive_settings" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"archive_days" integer DEFAULT 2557 NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "retention_policies" (
	"org_id" uuid NOT NULL,
	"category" "audit_category" NOT NULL,
	"days" integer NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "retention_policies_org_id_category_pk" PRIMARY KEY("org_id","category")
);
--> statement-breakpoint
ALTER TABLE "access_requests" ADD CONSTRAINT "access_requests_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_requests" ADD CONSTRAINT "access_requests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_requests" ADD CONSTRAINT "access_requests_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "permission_grants" ADD CONSTRAINT "permission_grants_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "permission_grants" ADD CONSTRAINT "permission_grants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "permission_grants" ADD CONSTRAINT "permission_grants_granted_by_users_id_fk" FOREIGN KEY ("granted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "export_tokens" ADD CONSTRAINT "export_tokens_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "export_tokens" ADD CONSTRAINT "export_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "archive_settings" ADD CONSTRAINT "archive_settings_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retention_policies" ADD CONSTRAINT "retention_policies_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "access_requests_one_pending_idx" ON "access_requests" USING btree ("org_id","user_id") WHERE "access_requests"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "access_requests_org_status_idx" ON "access_requests" USING btree ("org_id","status","created_at");--> statement-breakpoint
CREATE INDEX "memberships_user_idx" ON "memberships" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "api_keys_org_idx" ON "api_keys" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_logs_org_id_idx" ON "audit_logs" USING btree ("org_id","id");--> statement-breakpoint
CREATE INDEX "audit_logs_org_actor_idx" ON "audit_logs" USING btree ("org_id","actor_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_org_user_sort_idx" ON "audit_logs" USING btree ("org_id",(coalesce(lower("actor_email"), '') collate "C"),"occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_org_category_idx" ON "audit_logs" USING btree ("org_id","category","occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_org_action_idx" ON "audit_logs" USING btree ("org_id",("action" collate "C"),"occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_org_target_idx" ON "audit_logs" USING btree ("org_id",(coalesce("target_name", '') collate "C"),"occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_org_result_idx" ON "audit_logs" USING btree ("org_id","result","occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_org_correlation_idx" ON "audit_logs" USING btree ("org_id","correlation_id","occurred_at") WHERE "audit_logs"."correlation_id" is not null;--> statement-breakpoint
CREATE INDEX "audit_logs_search_trgm_idx" ON "audit_logs" USING gin (lower(coalesce("actor_name", '') || ' ' || coalesce("actor_email", '') || ' ' || coalesce("target_name", '') || ' ' || coalesce(host("ip"), '') || ' ' || coalesce("description", '') || ' ' || coalesce("request_id", '')) gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "audit_logs_archive_org_id_idx" ON "audit_logs_archive" USING btree ("org_id","id");--> statement-breakpoint
CREATE INDEX "audit_logs_archive_org_actor_idx" ON "audit_logs_archive" USING btree ("org_id","actor_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_archive_org_user_sort_idx" ON "audit_logs_archive" USING btree ("org_id",(coalesce(lower("actor_email"), '') collate "C"),"occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_archive_org_category_idx" ON "audit_logs_archive" USING btree ("org_id","category","occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_archive_org_action_idx" ON "audit_logs_archive" USING btree ("org_id",("action" collate "C"),"occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_archive_org_target_idx" ON "audit_logs_archive" USING btree ("org_id",(coalesce("target_name", '') collate "C"),"occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_archive_org_result_idx" ON "audit_logs_archive" USING btree ("org_id","result","occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_archive_org_correlation_idx" ON "audit_logs_archive" USING btree ("org_id","correlation_id","occurred_at") WHERE "audit_logs_archive"."correlation_id" is not null;--> statement-breakpoint
CREATE INDEX "audit_logs_archive_search_trgm_idx" ON "audit_logs_archive" USING gin (lower(coalesce("actor_name", '') || ' ' || coalesce("actor_email", '') || ' ' || coalesce("target_name", '') || ' ' || coalesce(host("ip"), '') || ' ' || coalesce("description", '') || ' ' || coalesce("request_id", '')) gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "export_tokens_expires_idx" ON "export_tokens" USING btree ("expires_at");--> statement-breakpoint
-- Hand-written: drizzle has no word for partitions. An insert never fails for want of a
-- partition: rows outside every monthly partition land in the default one, and
-- audit_ensure_partitions() moves them out when it creates their month.
CREATE TABLE "audit_logs_default" PARTITION OF "audit_logs" DEFAULT;--> statement-breakpoint
CREATE TABLE "audit_logs_archive_default" PARTITION OF "audit_logs_archive" DEFAULT;--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_ensure_partitions(parent text, first_month date, last_month date)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
  m date := date_trunc('month', first_month)::date;
  stop date := date_trunc('month', last_month)::date;
  part text;
  lo timestamptz;
  hi timestamptz;
  created integer := 0;
  has_rows boolean;
BEGIN
  WHILE m <= stop LOOP
    part := format('%s_p%s', parent, to_char(m, 'YYYYMM'));
    -- Month bounds in UTC whatever the session's time zone.
    lo := m::timestamp AT TIME ZONE 'UTC';
    hi := (m + interval '1 month')::timestamp AT TIME ZONE 'UTC';
    IF to_regclass(part) IS NULL THEN
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE occurred_at >= %L AND occurred_at < %L)',
        parent || '_default', lo, hi) INTO has_rows;
      IF has_rows THEN
        -- Rows of this month already sit in the default partition: attaching the new partition
        -- would fail, so the default is detached, its rows of the month moved, and reattached.
        EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', parent, parent || '_default');
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
          part, parent, lo, hi);
        EXECUTE format('INSERT INTO %I SELECT * FROM %I WHERE occurred_at >= %L AND occurred_at < %L',
          part, parent || '_default', lo, hi);
        EXECUTE format('DELETE FROM %I WHERE occurred_at >= %L AND occurred_at < %L',
          parent || '_default', lo, hi);
        EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I DEFAULT', parent, parent || '_default');
      ELSE
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
          part, parent, lo, hi);
      END IF;
      created := created + 1;
    END IF;
    m := (m + interval '1 month')::date;
  END LOOP;
  RETURN created;
END
$fn$;--> statement-breakpoint
SELECT audit_ensure_partitions('audit_logs', (now() - interval '14 months')::date, (now() + interval '3 months')::date);--> statement-breakpoint
SELECT audit_ensure_partitions('audit_logs_archive', (now() - interval '14 months')::date, (now() + interval '3 months')::date);
