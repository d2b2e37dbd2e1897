DROP INDEX "access_requests_one_pending_idx";--> statement-breakpoint
ALTER TABLE "access_requests" ADD COLUMN "permission" "audit_permission" DEFAULT 'audit.view' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "access_requests_one_pending_idx" ON "access_requests" USING btree ("org_id","user_id","permission") WHERE "access_requests"."status" = 'pending';