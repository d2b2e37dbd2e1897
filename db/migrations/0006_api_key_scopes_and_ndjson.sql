CREATE TYPE "public"."api_key_scope" AS ENUM('read', 'write');--> statement-breakpoint
ALTER TYPE "public"."export_format" ADD VALUE 'ndjson';--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "scopes" "api_key_scope"[] DEFAULT '{write}'::api_key_scope[] NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "read_logged_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_scopes_not_empty" CHECK (cardinality("api_keys"."scopes") > 0);