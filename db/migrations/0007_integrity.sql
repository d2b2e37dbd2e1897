CREATE TABLE "integrity_blocks" (
	"org_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"first_received_at" timestamp (3) with time zone NOT NULL,
	"first_entry_id" uuid NOT NULL,
	"last_received_at" timestamp (3) with time zone NOT NULL,
	"last_entry_id" uuid NOT NULL,
	"entry_count" integer NOT NULL,
	"merkle_root" text NOT NULL,
	"leaves_hash" text NOT NULL,
	"prev_hash" text NOT NULL,
	"block_hash" text NOT NULL,
	"key_id" text NOT NULL,
	"signature" text NOT NULL,
	"sealed_at" timestamp (3) with time zone NOT NULL,
	"leaves" "bytea" NOT NULL,
	CONSTRAINT "integrity_blocks_org_id_seq_pk" PRIMARY KEY("org_id","seq")
);
--> statement-breakpoint
ALTER TABLE "integrity_blocks" ADD CONSTRAINT "integrity_blocks_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "integrity_blocks_org_last_idx" ON "integrity_blocks" USING btree ("org_id","last_received_at","last_entry_id");