CREATE TABLE "audit_log_hourly" (
	"org_id" uuid NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_hourly_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"hour" timestamp with time zone NOT NULL,
	"category" "audit_category" NOT NULL,
	"result" "audit_result" NOT NULL,
	"level" "audit_level" NOT NULL,
	"n" bigint NOT NULL,
	"folded" boolean DEFAULT false NOT NULL,
	CONSTRAINT "audit_log_hourly_org_id_id_pk" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "audit_log_hourly" ADD CONSTRAINT "audit_log_hourly_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_hourly_org_hour_idx" ON "audit_log_hourly" USING btree ("org_id","hour");--> statement-breakpoint
-- Statement triggers keep the hourly counts: one grouped insert per statement that touches the
-- log, from its transition table (all partitions' rows), so ingestion adds one small insert per
-- batch and never waits on another transaction's counter row.
CREATE FUNCTION "audit_log_hourly_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "audit_log_hourly" ("org_id", "hour", "category", "result", "level", "n")
  SELECT "org_id", date_bin('1 hour', "occurred_at", timestamptz '2000-01-01 00:00:00+00'), "category", "result", "level", count(*)
  FROM new_rows GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "audit_log_hourly_remove"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "audit_log_hourly" ("org_id", "hour", "category", "result", "level", "n")
  SELECT "org_id", date_bin('1 hour', "occurred_at", timestamptz '2000-01-01 00:00:00+00'), "category", "result", "level", -count(*)
  FROM old_rows GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "audit_log_hourly_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "audit_log_hourly" ("org_id", "hour", "category", "result", "level", "n")
  SELECT "org_id", "hour", "category", "result", "level", sum("n")
  FROM (
    SELECT "org_id", date_bin('1 hour', "occurred_at", timestamptz '2000-01-01 00:00:00+00') AS "hour", "category", "result", "level", 1 AS "n" FROM new_rows
    UNION ALL
    SELECT "org_id", date_bin('1 hour', "occurred_at", timestamptz '2000-01-01 00:00:00+00'), "category", "result", "level", -1 FROM old_rows
  ) AS "changed"
  GROUP BY 1, 2, 3, 4, 5 HAVING sum("n") <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "audit_log_hourly_clear"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "audit_log_hourly";
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "audit_log_hourly_insert" AFTER INSERT ON "audit_logs" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_hourly_add"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_hourly_delete" AFTER DELETE ON "audit_logs" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_hourly_remove"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_hourly_update" AFTER UPDATE ON "audit_logs" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_hourly_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_hourly_truncate" AFTER TRUNCATE ON "audit_logs" FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_hourly_clear"();
--> statement-breakpoint
-- The entries already stored. The triggers above exist from here on in this transaction, so an
-- insert that waits for it is counted by its trigger, and this backfill does not see it.
INSERT INTO "audit_log_hourly" ("org_id", "hour", "category", "result", "level", "n", "folded")
SELECT "org_id", date_bin('1 hour', "occurred_at", timestamptz '2000-01-01 00:00:00+00'), "category", "result", "level", count(*), true
FROM "audit_logs" GROUP BY 1, 2, 3, 4, 5;
