CREATE TABLE "consumer_cursors" (
	"org_id" uuid NOT NULL,
	"consumer" text NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"entry_id" uuid NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consumer_cursors_org_id_consumer_pk" PRIMARY KEY("org_id","consumer")
);
--> statement-breakpoint
ALTER TABLE "consumer_cursors" ADD CONSTRAINT "consumer_cursors_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_logs_org_arrival_idx" ON "audit_logs" USING btree ("org_id","received_at","id");