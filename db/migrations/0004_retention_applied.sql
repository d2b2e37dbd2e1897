CREATE TABLE "retention_applied" (
	"org_id" uuid NOT NULL,
	"category" "audit_category" NOT NULL,
	"live_cutoff" timestamp (3) with time zone NOT NULL,
	"archive_cutoff" timestamp (3) with time zone NOT NULL,
	"removed" bigint NOT NULL,
	"archive_purged" bigint NOT NULL,
	"ran_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "retention_applied_org_id_category_pk" PRIMARY KEY("org_id","category")
);
--> statement-breakpoint
ALTER TABLE "retention_applied" ADD CONSTRAINT "retention_applied_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;