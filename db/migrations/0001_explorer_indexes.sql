CREATE INDEX "audit_logs_org_target_id_idx" ON "audit_logs" USING btree ("org_id",lower("target_id"),"occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_org_service_idx" ON "audit_logs" USING btree ("org_id",lower("service"),"occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_archive_org_target_id_idx" ON "audit_logs_archive" USING btree ("org_id",lower("target_id"),"occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_archive_org_service_idx" ON "audit_logs_archive" USING btree ("org_id",lower("service"),"occurred_at","id");