import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLogActors, memberships, organizations, users } from "@/db/schema";
import { auditEventSchema, type AuditEventInput } from "@/lib/audit/event-schema";
import { storeAuditEvents } from "@/lib/audit/record-audit-event";
import { updateActorDirectory } from "@/lib/audit-log/actor-directory";
import { listAuditEntries } from "@/lib/audit-log/entries";
import { personName, searchOrgActors, searchPeople } from "@/lib/audit-log/people-search";
import { selectionFromParams } from "@/lib/audit-log/selection";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { untilClockPassesStoredEntries } from "../helpers/arrival-clock";

/*
 * The actor directory behind the user filter (issue 19, point 4): entries by people who are not
 * current members (a removed member, a service account) become searchable once the background
 * consumer has read them, by a prefix of name, email or id, within their own organization only;
 * the value the search hands back selects exactly their entries with the existing `user` filter.
 */

let testDb: TestDatabase;
let orgA: string;
let orgB: string;
let kimId: string;

const BASE = Date.UTC(2026, 10, 20, 9);
const at = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();

type Actor = AuditEventInput["actor"];
const RITA: Actor = { id: "u_rita", name: "Rita Removed", email: "Rita.Removed@Acme.test" };
const BOT: Actor = { id: "svc_deployer", name: "Deploy Bot" };
const OTHER: Actor = { id: "u_kimball", name: "Kimball Other", email: "kimball@other.test" };

async function store(orgId: string, actor: Actor, minutes: number, action = "deploy"): Promise<string> {
  const event = auditEventSchema.parse({
    occurredAt: at(minutes),
    actor,
    category: "service",
    action,
    result: "done",
  } satisfies AuditEventInput);
  const [stored] = await storeAuditEvents(testDb.handle.db, orgId, [event]);
  return stored!.id;
}

/** The background job's work, until it has read everything (no margin: the entries were just stored). */
async function catchUp(): Promise<void> {
  await untilClockPassesStoredEntries(testDb.handle.db);
  while ((await updateActorDirectory({ marginMs: 0, batchSize: 3 })) > 0);
}

const values = (found: { value: string }[]) => found.map((p) => p.value);

beforeAll(async () => {
  testDb = await createTestDatabase();
  const db = testDb.handle.db;
  const [a, b] = await db
    .insert(organizations)
    .values([
      { slug: "actors-a", name: "A" },
      { slug: "actors-b", name: "B" },
    ])
    .returning({ id: organizations.id });
  orgA = a!.id;
  orgB = b!.id;
  const [kim, rita, nora] = await db
    .insert(users)
    .values([
      { email: "kim@acme.test", name: "Kim Member" },
      { email: "rita.removed@acme.test", name: "Rita Removed" },
      { email: "nora@acme.test", name: "Nora Never" },
    ])
    .returning({ id: users.id });
  kimId = kim!.id;
  await db.insert(memberships).values([
    { orgId: orgA, userId: kimId, role: "member" },
    { orgId: orgA, userId: rita!.id, role: "member" },
    { orgId: orgA, userId: nora!.id, role: "member" },
  ]);

  await store(orgA, { id: kimId, name: "Kim Member", email: "kim@acme.test" }, 1);
  await store(orgA, RITA, 2);
  await store(orgA, RITA, 3);
  await store(orgA, BOT, 4);
  await store(orgA, BOT, 5);
  await store(orgA, null, 6);
  await store(orgA, { name: "Only A Name" }, 7);
  await store(orgB, OTHER, 8);
  // Rita leaves the organization; her entries stay.
  await db.delete(memberships).where(eq(memberships.userId, rita!.id));
});

afterAll(async () => {
  await testDb?.drop();
});

describe("the actor directory", () => {
  it("is filled by the background consumer, not by ingestion", async () => {
    expect(await searchOrgActors(orgA, "rita")).toEqual([]);
    await catchUp();
    expect(values(await searchOrgActors(orgA, "rita"))).toEqual(["rita.removed@acme.test"]);
  });

  it("finds a removed member and a service account by a prefix of name, email or id", async () => {
    await catchUp();
    for (const text of ["Rita", "rita rem", "RITA.REMOVED@", "u_ri"]) {
      const found = await searchOrgActors(orgA, text);
      expect(found, text).toEqual([
        {
          value: "rita.removed@acme.test",
          id: "u_rita",
          name: "Rita Removed",
          email: "rita.removed@acme.test",
          member: false,
          lastSeenAt: at(3),
        },
      ]);
    }
    for (const text of ["deploy", "Deploy B", "svc_dep", "SVC_DEPLOYER"]) {
      expect(await searchOrgActors(orgA, text), text).toEqual([
        {
          value: "svc_deployer",
          id: "svc_deployer",
          name: "Deploy Bot",
          email: null,
          member: false,
          lastSeenAt: at(5),
        },
      ]);
    }
    // A prefix, not a part: "removed" is inside Rita's name and email but starts neither.
    expect(await searchOrgActors(orgA, "removed")).toEqual([]);
    // LIKE's wildcards are text like any other.
    expect(await searchOrgActors(orgA, "r%")).toEqual([]);
    expect(await searchOrgActors(orgA, "_ita")).toEqual([]);
  });

  it("keeps each organization's actors to itself", async () => {
    await catchUp();
    expect(values(await searchOrgActors(orgA, "kim"))).toEqual(["kim@acme.test"]);
    expect(values(await searchOrgActors(orgB, "kim"))).toEqual(["kimball@other.test"]);
    expect(await searchOrgActors(orgB, "rita")).toEqual([]);
    expect(await searchOrgActors(orgA, "u_kimball")).toEqual([]);
    expect(await searchPeople(orgB, "nora")).toEqual([]);
    expect(await personName(orgA, "kimball@other.test")).toBeNull();
  });

  it("leaves out entries with no actor id and no email, which the user filter cannot select", async () => {
    await catchUp();
    const rows = await testDb.handle.db
      .select({ key: auditLogActors.actorKey })
      .from(auditLogActors)
      .where(eq(auditLogActors.orgId, orgA));
    expect(rows.map((r) => r.key).sort()).toEqual(["kim@acme.test", "rita.removed@acme.test", "svc_deployer"]);
  });

  it("shows members and non-members together, saying who is not a member", async () => {
    await catchUp();
    const everyone = await searchPeople(orgA, "");
    // The most recently seen first; a member who never acted last.
    expect(everyone.map((p) => [p.value, p.member])).toEqual([
      ["svc_deployer", false],
      ["rita.removed@acme.test", false],
      ["kim@acme.test", true],
      ["nora@acme.test", true],
    ]);
    expect(everyone.at(-1)).toMatchObject({ name: "Nora Never", lastSeenAt: null });
    // Members are also found by a part of their name; actors of the log by a prefix.
    expect(values(await searchPeople(orgA, "never"))).toEqual(["nora@acme.test"]);
    expect(values(await searchPeople(orgA, "k"))).toEqual(["kim@acme.test"]);
    expect(await searchPeople(orgA, "kim", 1)).toHaveLength(1);
  });

  it("keeps the newest entry's name, whatever order entries arrive in", async () => {
    await store(orgA, { ...BOT, name: "Deploy Bot v2" }, 20);
    // Arrives after, occurred before: changes nothing.
    await store(orgA, { ...BOT, name: "Deploy Bot v0" }, 10);
    await catchUp();
    expect(await searchOrgActors(orgA, "svc_")).toMatchObject([{ name: "Deploy Bot v2", lastSeenAt: at(20) }]);
    expect(await personName(orgA, "svc_deployer")).toBe("Deploy Bot v2");
    expect(await personName(orgA, "Rita.Removed@acme.test")).toBe("Rita Removed");
    expect(await personName(orgA, "kim@acme.test")).toBe("Kim Member");
  });

  it("hands back the value the user filter selects the person's entries with", async () => {
    await catchUp();
    for (const [text, count] of [
      ["rita", 2],
      ["svc_deployer", 4],
    ] as const) {
      const [person] = await searchPeople(orgA, text);
      const { selection } = selectionFromParams(orgA, {
        period: "custom",
        from: "2026-11-01",
        to: "2026-11-30",
        user: person!.value,
      });
      const page = await listAuditEntries(selection);
      expect(page.entries, text).toHaveLength(count);
      for (const entry of page.entries) expect(entry.actor?.id, text).toBe(text === "rita" ? "u_rita" : "svc_deployer");
    }
  });
});
