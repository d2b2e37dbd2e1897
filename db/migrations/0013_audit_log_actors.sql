-- The actors of each organization's log, for the user filter's search (db/schema/audit-log-actors.ts).
-- No backfill here: the background consumer "actors" starts at the beginning of every
-- organization's log (lib/audit-log/actor-directory.ts), so existing entries are covered by it, in
-- batches, after the console starts; a scan of the whole log inside the migration would hold the
-- deploy for minutes at 10M entries.
CREATE TABLE "audit_log_actors" (
	"org_id" uuid NOT NULL,
	"actor_key" text NOT NULL,
	"actor_id" text,
	"actor_name" text,
	"actor_email" text,
	"last_seen_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "audit_log_actors_org_id_actor_key_pk" PRIMARY KEY("org_id","actor_key")
);
--> statement-breakpoint
ALTER TABLE "audit_log_actors" ADD CONSTRAINT "audit_log_actors_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_actors_org_name_idx" ON "audit_log_actors" USING btree ("org_id",(lower("actor_name") collate "C"));--> statement-breakpoint
CREATE INDEX "audit_log_actors_org_email_idx" ON "audit_log_actors" USING btree ("org_id",("actor_email" collate "C"));--> statement-breakpoint
CREATE INDEX "audit_log_actors_org_id_idx" ON "audit_log_actors" USING btree ("org_id",(lower("actor_id") collate "C"));--> statement-breakpoint
CREATE INDEX "audit_log_actors_org_last_seen_idx" ON "audit_log_actors" USING btree ("org_id","last_seen_at");