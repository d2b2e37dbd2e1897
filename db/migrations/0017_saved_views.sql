CREATE TABLE "saved_views" (
	"org_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" uuid,
	"name" text NOT NULL,
	"search" text NOT NULL,
	"shared" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "saved_views_org_id_id_pk" PRIMARY KEY("org_id","id"),
	CONSTRAINT "saved_views_name" UNIQUE NULLS NOT DISTINCT("org_id","owner_id","name"),
	CONSTRAINT "saved_views_name_length" CHECK (char_length("saved_views"."name") between 1 and 80),
	CONSTRAINT "saved_views_search_length" CHECK (char_length("saved_views"."search") <= 8192)
);
--> statement-breakpoint
ALTER TABLE "saved_views" ADD CONSTRAINT "saved_views_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "saved_views" ADD CONSTRAINT "saved_views_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "saved_views_owner_idx" ON "saved_views" USING btree ("org_id","owner_id");--> statement-breakpoint
-- The two views every organization starts with (lib/saved-views/built-in.ts), for the
-- organizations that existed before saved views; new ones get them when they are created.
INSERT INTO "saved_views" ("org_id", "owner_id", "name", "search", "shared")
SELECT o."id", NULL, v."name", v."search", true
FROM "organizations" o
CROSS JOIN (VALUES
  ('Security events', 'type=auth&result=failed'),
  ('Permission changes', 'type=user&q=action%3Achange_role+action%3Agrant_permission+action%3Arevoke_permission+action%3Aapprove_access_request')
) AS v("name", "search")
ON CONFLICT DO NOTHING;
