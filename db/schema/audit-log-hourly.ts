import { sql } from "drizzle-orm";
import { bigint, boolean, index, pgTable, primaryKey, timestamp, uuid } from "drizzle-orm/pg-core";
import { auditCategory, auditLevel, auditResult } from "./enums";
import { organizations } from "./organizations";

/*
 * Hourly counts of the live log per organization, category, result and level, for the histogram
 * and the category/result/level facets of searches that filter by nothing else (the explorer's
 * default view). Rows are deltas: statement triggers on audit_logs (migration 0008) add one row per
 * (hour, category, result, level) a statement touched, +n for inserted and -n for deleted rows, so
 * concurrent ingestion never waits on a shared counter row. A count is the sum of a key's rows; the
 * background job folds each key's rows into one (`folded`). Retention's partition detach removes
 * the hours of the partition it takes away (lib/retention/partitions.ts).
 */
export const auditLogHourly = pgTable(
  "audit_log_hourly",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    id: bigint("id", { mode: "number" }).generatedAlwaysAsIdentity(),
    // The UTC hour (date_bin of one hour from the epoch) the entries occurred in.
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    category: auditCategory("category").notNull(),
    result: auditResult("result").notNull(),
    level: auditLevel("level").notNull(),
    n: bigint("n", { mode: "number" }).notNull(),
    folded: boolean("folded").notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id] }),
    // Also audit_log_hourly_org_hour_cover_idx, (org_id, hour) including the counted columns:
    // built online after the migrations (db/online-indexes.ts), so it is not declared here.
    index("audit_log_hourly_org_hour_idx").on(t.orgId, t.hour),
    // The fold's "hours with deltas" without reading the folded rows: at 10M entries, 2.3 million
    // of them, scanned every 30 s and holding the arrival horizon back for seconds each time.
    index("audit_log_hourly_unfolded_idx")
      .on(t.orgId, t.hour)
      .where(sql`not ${t.folded}`),
  ],
);
