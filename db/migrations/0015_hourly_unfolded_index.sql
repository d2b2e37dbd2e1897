CREATE INDEX "audit_log_hourly_unfolded_idx" ON "audit_log_hourly" USING btree ("org_id","hour") WHERE not "audit_log_hourly"."folded";
