import { type SQL, sql } from "drizzle-orm";
import { index, pgTable, primaryKey, text, timestamp, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { organizations } from "./organizations";

/*
 * The people who appear in each organization's log (members, removed members, service accounts),
 * for the user filter's search: one row per actor, kept by the background consumer "actors"
 * (lib/audit-log/actor-directory.ts) rather than by ingestion, so storing an entry costs nothing
 * more. The key is the value the explorer's `user` filter takes for that actor: the lower-cased
 * email when the actor has one, else the actor id. Name, email and id are those of the actor's
 * newest entry.
 */
export const auditLogActors = pgTable(
  "audit_log_actors",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    actorKey: text("actor_key").notNull(),
    actorId: text("actor_id"),
    actorName: text("actor_name"),
    // Lower-cased, like the filter compares it.
    actorEmail: text("actor_email"),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.actorKey] }),
    // A prefix of the name, email or id is an index range within the organization ("C" collation:
    // LIKE 'abc%' becomes a range on any server's locale, as in audit-logs.ts).
    index("audit_log_actors_org_name_idx").on(t.orgId, actorNameKey(t)),
    index("audit_log_actors_org_email_idx").on(t.orgId, actorEmailKey(t)),
    index("audit_log_actors_org_id_idx").on(t.orgId, actorIdKey(t)),
    // The picker's list before anything is typed: the organization's most recent actors.
    index("audit_log_actors_org_last_seen_idx").on(t.orgId, t.lastSeenAt),
  ],
);

export function actorNameKey(t: { actorName: AnyPgColumn }): SQL {
  return sql`(lower(${t.actorName}) collate "C")`;
}

export function actorEmailKey(t: { actorEmail: AnyPgColumn }): SQL {
  return sql`(${t.actorEmail} collate "C")`;
}

export function actorIdKey(t: { actorId: AnyPgColumn }): SQL {
  return sql`(lower(${t.actorId}) collate "C")`;
}
