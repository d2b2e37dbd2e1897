CREATE TABLE "notification_threshold_state" (
	"org_id" uuid NOT NULL,
	"rule_id" uuid NOT NULL,
	"group_key" text NOT NULL,
	"fired_at" timestamp (3) with time zone NOT NULL,
	"suppress_until" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "notification_threshold_state_org_id_rule_id_group_key_pk" PRIMARY KEY("org_id","rule_id","group_key")
);
--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD COLUMN "detail" text;--> statement-breakpoint
ALTER TABLE "notification_threshold_state" ADD CONSTRAINT "notification_threshold_state_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_threshold_state" ADD CONSTRAINT "notification_threshold_state_rule_id_notification_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."notification_rules"("id") ON DELETE cascade ON UPDATE no action;