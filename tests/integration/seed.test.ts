import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { auditCategory, auditResult } from "@/db/schema";
import { verifyPassword } from "@/lib/auth/password";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, isSeeded, seedDatabase, seedDemoAccounts } from "@/db/seed";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

const NOW = new Date("2026-03-15T10:30:00.000Z");
const ROWS = 3_000;
const SEED = 7;

type Row = Record<string, unknown>;

async function rows(db: TestDatabase, query: ReturnType<typeof sql>): Promise<Row[]> {
  const result = (await db.handle.db.execute(query)) as unknown as Row[] | { rows: Row[] };
  return Array.isArray(result) ? result : result.rows;
}

// Every column as text, so the two drivers' value types do not matter for the comparison.
const SNAPSHOT = sql`
  select id::text, org_id::text, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') as occurred_at,
    to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') as received_at,
    actor_id, actor_name, actor_email, category::text, action, description, target_type, target_id, target_name,
    result::text, level::text, service, host(ip) as ip, user_agent, request_id, correlation_id,
    params::text, before::text, after::text, error_code, error_message
  from audit_logs order by id`;

describe("demo seed", () => {
  let first: TestDatabase;
  let second: TestDatabase;

  beforeAll(async () => {
    first = await createTestDatabase();
    second = await createTestDatabase();
    expect(await isSeeded(first.handle.db)).toBe(false);
    await seedDatabase(first.handle, { rows: ROWS, seed: SEED, now: NOW });
    await seedDatabase(second.handle, { rows: ROWS, seed: SEED, now: NOW });
  });

  afterAll(async () => {
    await second?.drop();
    await first?.drop();
  });

  it("is deterministic: the same seed and now give the same rows, ids included", async () => {
    const a = await rows(first, SNAPSHOT);
    const b = await rows(second, SNAPSHOT);
    expect(a).toHaveLength(ROWS);
    expect(b).toEqual(a);
    // Version 4 layout, so permalinks pass strict UUID validation.
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(a.every((r) => uuid.test(r.id as string))).toBe(true);
  });

  it("creates the demo accounts with their roles and the managers' default grants", async () => {
    expect(await isSeeded(first.handle.db)).toBe(true);
    const members = await rows(
      first,
      sql`select u.email, o.slug, m.role::text as role, u.password_hash,
            coalesce((select string_agg(g.permission::text, ',' order by g.permission)
                      from permission_grants g where g.org_id = m.org_id and g.user_id = m.user_id), '') as grants
          from memberships m join users u on u.id = m.user_id join organizations o on o.id = m.org_id`,
    );
    const byEmail = new Map(members.map((m) => [m.email, m]));
    expect(byEmail.get("admin@acme.test")).toMatchObject({ slug: "acme", role: "admin", grants: "" });
    expect(byEmail.get("manager@acme.test")).toMatchObject({
      slug: "acme",
      role: "manager",
      grants: "audit.view,audit.export",
    });
    expect(byEmail.get("member@acme.test")).toMatchObject({ slug: "acme", role: "member", grants: "" });
    expect(byEmail.get("auditor@globex.test")).toMatchObject({
      slug: "globex",
      role: "manager",
      grants: "audit.view,audit.export",
    });
    const hash = byEmail.get("auditor@globex.test")?.password_hash;
    expect(typeof hash).toBe("string");
    expect(await verifyPassword(DEMO_PASSWORD, hash as string)).toBe(true);
    expect(members).toHaveLength(DEMO_ACCOUNTS.length);
  });

  it("adds nothing when the demo accounts are seeded again", async () => {
    const count = sql`select (select count(*) from users)::int + (select count(*) from memberships)::int
                        + (select count(*) from permission_grants)::int + (select count(*) from organizations)::int as n`;
    const before = await rows(first, count);
    const again = await seedDemoAccounts(first.handle.db);
    expect(await rows(first, count)).toEqual(before);
    expect(Object.keys(again.users)).toEqual(expect.arrayContaining(["admin@acme.test", "auditor@globex.test"]));
  });

  it("covers all 16 categories and all 4 results, inside the time window", async () => {
    const categories = await rows(first, sql`select distinct category::text as v from audit_logs`);
    expect(categories.map((r) => r.v).sort()).toEqual([...auditCategory.enumValues].sort());
    const results = await rows(first, sql`select distinct result::text as v from audit_logs`);
    expect(results.map((r) => r.v).sort()).toEqual([...auditResult.enumValues].sort());
    const [range] = await rows(
      first,
      sql`select min(occurred_at) >= ${NOW.toISOString()}::timestamptz - interval '400 days' as after_start,
                 max(occurred_at) <= ${NOW.toISOString()}::timestamptz as before_now,
                 bool_and(received_at >= occurred_at) as received_after,
                 bool_and(extract(microseconds from occurred_at)::int % 1000 = 0) as millis
          from audit_logs`,
    );
    expect(range).toEqual({ after_start: true, before_now: true, received_after: true, millis: true });
  });

  it("splits rows by weight and attributes entries to the demo accounts", async () => {
    const perOrg = await rows(
      first,
      sql`select o.slug, count(*)::int as n from audit_logs a join organizations o on o.id = a.org_id group by o.slug`,
    );
    expect(Object.fromEntries(perOrg.map((r) => [r.slug, r.n]))).toEqual({ acme: 2_400, globex: 600 });
    const found = await rows(
      first,
      sql`select a.actor_email, count(*)::int as n, bool_and(a.actor_id = u.id::text and a.actor_name = u.name) as same
          from audit_logs a join users u on u.email = a.actor_email
          where a.actor_email in ('admin@acme.test', 'manager@acme.test', 'member@acme.test', 'auditor@globex.test')
          group by a.actor_email`,
    );
    expect(found).toHaveLength(4);
    for (const r of found) {
      expect(r.n).toBeGreaterThan(5);
      expect(r.same).toBe(true);
    }
  });

  it("writes asynchronous operations as pending -> processing -> done|failed in time order", async () => {
    const groups = await rows(
      first,
      sql`select correlation_id, string_agg(result::text, '>' order by occurred_at, id) as seq,
                 count(distinct action)::int as actions, count(distinct org_id)::int as orgs
          from audit_logs where correlation_id is not null group by correlation_id`,
    );
    expect(groups.length).toBeGreaterThan(10);
    const complete = /^pending>processing>(done|failed)$/;
    for (const g of groups) {
      // The newest operations may still be waiting or running: a prefix of the timeline.
      expect(
        ["pending", "pending>processing"].includes(g.seq as string) || complete.test(g.seq as string),
        String(g.seq),
      ).toBe(true);
      expect(g).toMatchObject({ actions: 1, orgs: 1 });
    }
    expect(groups.filter((g) => complete.test(g.seq as string)).length).toBeGreaterThan(groups.length / 2);
    const [times] = await rows(
      first,
      sql`select count(*)::int as n from (
            select occurred_at, lag(occurred_at) over (partition by correlation_id order by occurred_at, id) as prev
            from audit_logs where correlation_id is not null) x
          where occurred_at = prev`,
    );
    expect(times?.n).toBe(0);
  });

  it("records failures with error codes, and failures caused by input as invalid_input", async () => {
    const [failures] = await rows(
      first,
      sql`select bool_and(error_code is not null and error_message is not null) filter (where result = 'failed') as coded,
                 bool_and(error_code is null) filter (where result <> 'failed') as clean,
                 count(*) filter (where error_code = 'invalid_input')::int as invalid_input,
                 count(*) filter (where actor_id is null)::int as nobody
          from audit_logs`,
    );
    expect(failures).toMatchObject({ coded: true, clean: true });
    expect(failures?.invalid_input).toBeGreaterThan(0);
    expect(failures?.nobody).toBeGreaterThan(0);
  });

  it("contains a burst of failed sign-ins from one address and against one account", async () => {
    const [fromOneIp] = await rows(
      first,
      sql`select host(ip) as ip, count(*)::int as n, count(distinct target_name)::int as accounts,
                 count(*) filter (where actor_id is null)::int as unknown_accounts,
                 extract(epoch from max(occurred_at) - min(occurred_at)) as seconds
          from audit_logs where category = 'auth' and action = 'login' and result = 'failed'
          group by ip order by count(*) desc limit 1`,
    );
    expect(fromOneIp?.n).toBeGreaterThanOrEqual(20);
    expect(fromOneIp?.accounts).toBeGreaterThan(5);
    expect(fromOneIp?.unknown_accounts).toBeGreaterThan(0);
    expect(Number(fromOneIp?.seconds)).toBeLessThanOrEqual(600);

    const unknown = await rows(
      first,
      sql`select params ->> 'email' as email, target_name from audit_logs
          where action = 'login' and result = 'failed' and actor_id is null`,
    );
    expect(unknown.length).toBeGreaterThan(0);
    for (const u of unknown) expect(u.email).toBe(u.target_name);

    const [oneAccount] = await rows(
      first,
      sql`select target_name, count(*)::int as n, count(distinct ip)::int as ips
          from audit_logs where category = 'auth' and action = 'login' and result = 'failed' and actor_id is not null
          group by target_name order by count(distinct ip) desc limit 1`,
    );
    expect(oneAccount?.ips).toBeGreaterThanOrEqual(5);
  });
});
