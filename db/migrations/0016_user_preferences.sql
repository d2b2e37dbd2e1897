CREATE TABLE "user_preferences" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"time_zone" text,
	"explorer_columns" text[],
	"density" text,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_preferences_time_zone_length" CHECK (char_length("user_preferences"."time_zone") between 1 and 64),
	CONSTRAINT "user_preferences_density" CHECK ("user_preferences"."density" in ('comfortable', 'compact'))
);
--> statement-breakpoint
ALTER TABLE "user_preferences" ADD CONSTRAINT "user_preferences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;