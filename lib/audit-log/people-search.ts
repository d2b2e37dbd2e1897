import "server-only";

import { and, asc, eq, ilike, or, sql } from "drizzle-orm";
import { getDb, queryRows } from "@/db/client";
import { memberships, users } from "@/db/schema";
import { actorEmailKey, actorIdKey, actorNameKey, auditLogActors } from "@/db/schema/audit-log-actors";
import { isoTime } from "@/lib/audit-log/rows";
import { escapeLike } from "@/lib/audit-log/where";
import { isSafeText } from "@/lib/validation/safe-text";

/*
 * The user filter's search: the organization's current members, and everyone who appears in its
 * log (removed members, service accounts, people of other systems) from the actor directory
 * (db/schema/audit-log-actors.ts, kept by lib/audit-log/actor-directory.ts). Every query is
 * scoped to the one organization.
 */

export interface OrgUserMatch {
  id: string;
  name: string;
  email: string;
}

export interface PersonMatch {
  /** What the explorer's `user` filter takes: the lower-cased email when there is one, else the actor id. */
  value: string;
  id: string | null;
  name: string | null;
  email: string | null;
  /** A current member of the organization; otherwise a removed member or an actor who never was one. */
  member: boolean;
  /** The newest entry's time (ISO); null for a member with no entry found. */
  lastSeenAt: string | null;
}

const MAX_LIMIT = 50;

function normalize(text: string): string | null {
  const needle = text.trim().toLowerCase().slice(0, 200);
  // Nobody's name holds such text, and PostgreSQL would refuse the query rather than find none.
  return isSafeText(needle) ? needle : null;
}

const clampLimit = (limit: number) => Math.min(Math.max(1, Math.floor(limit)), MAX_LIMIT);

/**
 * Members of the organization whose name or email contains the text (case-insensitively). Prefix
 * matches come first. Members are few per organization, so the membership primary key
 * (org_id, user_id) bounds the work.
 */
export async function searchOrgUsers(orgId: string, text: string, limit = 10): Promise<OrgUserMatch[]> {
  const needle = normalize(text);
  if (needle === null) return [];
  const matches =
    needle === ""
      ? undefined
      : or(ilike(users.name, `%${escapeLike(needle)}%`), ilike(users.email, `%${escapeLike(needle)}%`));
  const prefix = `${escapeLike(needle)}%`;
  return getDb()
    .select({ id: users.id, name: users.name, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), matches))
    .orderBy(
      sql`(lower(${users.email}) like ${prefix} or lower(${users.name}) like ${prefix}) desc`,
      asc(users.name),
      asc(users.email),
    )
    .limit(clampLimit(limit));
}

interface DirectoryRow extends Record<string, unknown> {
  actor_key: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_email: string | null;
  last_seen_at: Date | string;
  member: boolean;
}

/**
 * Actors of the organization's log whose name, email or id starts with the text, the most recently
 * seen first: each prefix is a range of one organization-led index (three ranges OR-ed), so the
 * cost follows the matches, not the log. Each says whether it is a current member.
 */
export async function searchOrgActors(orgId: string, text: string, limit = 10): Promise<PersonMatch[]> {
  const needle = normalize(text);
  if (needle === null) return [];
  const a = auditLogActors;
  const prefix = `${escapeLike(needle)}%`;
  const matches =
    needle === ""
      ? sql`true`
      : sql`(${actorNameKey(a)} like ${prefix} or ${actorEmailKey(a)} like ${prefix} or ${actorIdKey(a)} like ${prefix})`;
  // The membership test runs on the few rows kept, not on every match.
  const rows = await queryRows<DirectoryRow>(
    getDb(),
    sql`with found as (
      select ${a.actorKey} as actor_key, ${a.actorId} as actor_id, ${a.actorName} as actor_name,
        ${a.actorEmail} as actor_email, ${a.lastSeenAt} as last_seen_at
      from ${a}
      where ${a.orgId} = ${orgId} and ${matches}
      order by ${a.lastSeenAt} desc, ${a.actorKey}
      limit ${clampLimit(limit)}
    )
    select found.*, exists (
      select 1 from ${memberships} m join ${users} u on u.id = m.user_id
      where m.org_id = ${orgId} and (u.email = found.actor_email or u.id::text = found.actor_id)
    ) as member
    from found
    order by last_seen_at desc, actor_key`,
  );
  return rows.map((row) => ({
    value: row.actor_key,
    id: row.actor_id,
    name: row.actor_name,
    email: row.actor_email,
    member: Boolean(row.member),
    lastSeenAt: isoTime(row.last_seen_at),
  }));
}

function startsWith(person: PersonMatch, needle: string): boolean {
  return [person.name, person.email, person.id].some((v) => v !== null && v.toLowerCase().startsWith(needle));
}

/**
 * The picker's answer: actors of the log and current members together, one row per filter value.
 * Prefix matches first (members are also found by a part of their name or email), then the most
 * recently seen; members not seen in the log last.
 */
export async function searchPeople(orgId: string, text: string, limit = 10): Promise<PersonMatch[]> {
  const needle = normalize(text);
  if (needle === null) return [];
  const size = clampLimit(limit);
  const [actors, members] = await Promise.all([
    searchOrgActors(orgId, needle, size),
    searchOrgUsers(orgId, needle, size),
  ]);
  const byValue = new Map<string, PersonMatch>(actors.map((p) => [p.value, p]));
  for (const m of members) {
    const value = m.email.toLowerCase();
    const seen = byValue.get(value);
    if (seen) byValue.set(value, { ...seen, member: true, name: seen.name ?? m.name });
    else byValue.set(value, { value, id: m.id, name: m.name, email: value, member: true, lastSeenAt: null });
  }
  return [...byValue.values()]
    .sort(
      (x, y) =>
        Number(startsWith(y, needle)) - Number(startsWith(x, needle)) ||
        (y.lastSeenAt ?? "").localeCompare(x.lastSeenAt ?? "") ||
        (x.name ?? x.value).localeCompare(y.name ?? y.value),
    )
    .slice(0, size);
}

/**
 * The name to show beside the `user` filter's value: a current member's, else the actor's in the
 * directory (its newest entry's name). Null when neither knows the value.
 */
export async function personName(orgId: string, value: string): Promise<string | null> {
  const email = value.includes("@") ? value.toLowerCase() : null;
  const [member] = await getDb()
    .select({ name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), email ? eq(users.email, email) : sql`${users.id}::text = ${value}`))
    .limit(1);
  if (member) return member.name;
  const a = auditLogActors;
  // An id-only actor is keyed by its id; an actor with an email by the email, its id a column.
  const [actor] = await getDb()
    .select({ name: a.actorName })
    .from(a)
    .where(
      and(
        eq(a.orgId, orgId),
        email
          ? eq(a.actorKey, email)
          : or(eq(a.actorKey, value), and(sql`${actorIdKey(a)} = ${value.toLowerCase()}`, eq(a.actorId, value))),
      ),
    )
    .orderBy(sql`${a.lastSeenAt} desc`)
    .limit(1);
  return actor?.name ?? null;
}
