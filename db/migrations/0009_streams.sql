CREATE TYPE "public"."stream_format" AS ENUM('ndjson', 'splunk_hec');--> statement-breakpoint
CREATE TYPE "public"."stream_state" AS ENUM('active', 'paused');--> statement-breakpoint
CREATE TABLE "stream_destinations" (
	"org_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"format" "stream_format" NOT NULL,
	"url" text NOT NULL,
	"secret_ciphertext" text NOT NULL,
	"query" text DEFAULT '' NOT NULL,
	"batch_size" integer DEFAULT 500 NOT NULL,
	"max_wait_seconds" integer DEFAULT 5 NOT NULL,
	"state" "stream_state" DEFAULT 'active' NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"last_error_at" timestamp (3) with time zone,
	"next_attempt_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"lease_token" uuid,
	"lease_until" timestamp (3) with time zone,
	"batch_id" uuid,
	"batch_last_received_at" timestamp (3) with time zone,
	"batch_last_entry_id" uuid,
	"sent_entries" bigint DEFAULT 0 NOT NULL,
	"last_delivered_at" timestamp (3) with time zone,
	"paused_at" timestamp (3) with time zone,
	"created_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stream_destinations_org_id_id_pk" PRIMARY KEY("org_id","id"),
	CONSTRAINT "stream_destinations_batch_size_check" CHECK ("stream_destinations"."batch_size" between 1 and 1000),
	CONSTRAINT "stream_destinations_max_wait_check" CHECK ("stream_destinations"."max_wait_seconds" between 1 and 3600)
);
--> statement-breakpoint
ALTER TABLE "stream_destinations" ADD CONSTRAINT "stream_destinations_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stream_destinations" ADD CONSTRAINT "stream_destinations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stream_destinations_org_idx" ON "stream_destinations" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "stream_destinations_due_idx" ON "stream_destinations" USING btree ("org_id","next_attempt_at") WHERE "stream_destinations"."state" = 'active';