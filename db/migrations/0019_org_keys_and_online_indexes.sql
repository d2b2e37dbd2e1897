-- Organizations are the unit of distribution (docs/scaling.md): every key of an organization's
-- data leads with org_id. Three small tables did not (tests/integration/org-keys.test.ts). Each
-- change holds its table's lock for as long as the new key takes to build over its rows: access
-- requests, API keys and export links are a handful per organization, never the audit log.
ALTER TABLE "access_requests" DROP CONSTRAINT "access_requests_pkey";--> statement-breakpoint
ALTER TABLE "access_requests" ADD CONSTRAINT "access_requests_org_id_id_pk" PRIMARY KEY("org_id","id");--> statement-breakpoint
-- API keys: the secret now ends with its organization's id, so a key is found by (org_id,
-- secret_hash). Keys made before carry no organization and are still found by the hash alone,
-- through a plain index: a SHA-256 of 256 random bits does not collide.
ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_pkey";--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_org_id_id_pk" PRIMARY KEY("org_id","id");--> statement-breakpoint
ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_secret_hash_unique";--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_org_secret_hash_unique" UNIQUE("org_id","secret_hash");--> statement-breakpoint
CREATE INDEX "api_keys_secret_hash_idx" ON "api_keys" USING btree ("secret_hash");--> statement-breakpoint
-- Export links: the token ends with its organization's id, the row is found by (org_id,
-- token_hash), and old rows are deleted per organization.
ALTER TABLE "export_tokens" DROP CONSTRAINT "export_tokens_pkey";--> statement-breakpoint
ALTER TABLE "export_tokens" ADD CONSTRAINT "export_tokens_org_id_token_hash_pk" PRIMARY KEY("org_id","token_hash");--> statement-breakpoint
DROP INDEX "export_tokens_expires_idx";--> statement-breakpoint
CREATE INDEX "export_tokens_org_expires_idx" ON "export_tokens" USING btree ("org_id","expires_at");--> statement-breakpoint
-- Bookkeeping of the audit log's online index builds (db/online-indexes.ts), which run after the
-- SQL migrations, outside their transaction.
CREATE TABLE "online_indexes" (
	"name" text PRIMARY KEY NOT NULL,
	"parent" text NOT NULL,
	"definition" text NOT NULL,
	"started_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp (3) with time zone
);
