import { AsyncLocalStorage } from "node:async_hooks";
import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { accessRequests, auditLogs, memberships, permissionGrants } from "@/db/schema";
import type { AuditPermission } from "@/db/schema/enums";
import { seedDemoAccounts, type SeededDemoAccounts } from "@/db/seed/demo-accounts";
import { NO_PERMISSION_TEXT } from "@/lib/auth/messages";
import { consoleServerHeaders } from "../helpers/console-server-headers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * The access page's server actions and the request-access action against a real database. Only the
 * session lookup (next-auth's auth()), request headers and revalidatePath are replaced: each call
 * runs "as" a user through AsyncLocalStorage, so concurrent calls can act as different people.
 */
const session = new AsyncLocalStorage<string | null>();
const requestHeaders = { current: new Headers() };

vi.mock("@/lib/auth/auth", () => ({
  auth: async () => {
    const id = session.getStore();
    return id ? { user: { id }, expires: new Date(Date.now() + 3_600_000).toISOString() } : null;
  },
}));
vi.mock("next/headers", () => ({ headers: async () => requestHeaders.current }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

const { approveAccessRequest, changeRole, declineAccessRequest, grantPermission, revokePermission } =
  await import("@/app/orgs/[org]/settings/access/lib/actions");
const { requestAccess } = await import("@/lib/access-requests/request-actions");
const { getMyAccessRequestState } = await import("@/lib/access-requests/request-state");
const { listAccessMembers, listPendingAccessRequests } = await import("@/app/orgs/[org]/settings/access/lib/queries");
const { requirePermission } = await import("@/lib/auth/access");
const { CrossOriginActionError } = await import("@/lib/security/same-origin");

const SITE = consoleServerHeaders("console.test", "198.51.100.9");

let testDb: TestDatabase;
let seeded: SeededDemoAccounts;
const id = (email: string) => {
  const userId = seeded.users[email];
  if (!userId) throw new Error(`no demo user ${email}`);
  return userId;
};

function as<T>(email: string | null, fn: () => Promise<T>): Promise<T> {
  return session.run(email === null ? null : id(email), fn);
}

async function grantsOf(orgId: string, email: string): Promise<AuditPermission[]> {
  const rows = await testDb.handle.db
    .select({ permission: permissionGrants.permission })
    .from(permissionGrants)
    .where(and(eq(permissionGrants.orgId, orgId), eq(permissionGrants.userId, id(email))));
  return rows.map((r) => r.permission).sort();
}

async function latestEntry(orgId: string, action: string) {
  const [row] = await testDb.handle.db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.orgId, orgId), eq(auditLogs.action, action)))
    .orderBy(desc(auditLogs.occurredAt), desc(auditLogs.id))
    .limit(1);
  return row;
}

async function entriesOf(orgId: string, action: string) {
  return testDb.handle.db
    .select({ id: auditLogs.id })
    .from(auditLogs)
    .where(and(eq(auditLogs.orgId, orgId), eq(auditLogs.action, action)));
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  seeded = await seedDemoAccounts(testDb.handle.db);
  requestHeaders.current = new Headers(SITE);
});
afterAll(async () => {
  await testDb?.drop();
});

describe("granting and revoking", () => {
  it("grants a permission, records who did it with before and after, and revokes it again", async () => {
    const acme = seeded.orgs.acme;
    const granted = await as("admin@acme.test", () =>
      grantPermission("acme", { userId: id("member@acme.test"), permission: "audit.view" }),
    );
    expect(granted.error).toBeUndefined();
    expect(granted.data?.permissions).toEqual(["audit.view"]);
    expect(await grantsOf(acme, "member@acme.test")).toEqual(["audit.view"]);

    const entry = await latestEntry(acme, "grant_permission");
    expect(entry).toMatchObject({
      category: "user",
      level: "notice",
      result: "done",
      actorId: id("admin@acme.test"),
      actorEmail: "admin@acme.test",
      targetType: "user",
      targetId: id("member@acme.test"),
      targetName: "member@acme.test",
      ip: "198.51.100.9",
      params: { permission: "audit.view" },
      before: { role: "member", permissions: [] },
      after: { role: "member", permissions: ["audit.view"] },
    });

    const revoked = await as("admin@acme.test", () =>
      revokePermission("acme", { userId: id("member@acme.test"), permission: "audit.view" }),
    );
    expect(revoked.data?.permissions).toEqual([]);
    expect(await grantsOf(acme, "member@acme.test")).toEqual([]);
    expect(await latestEntry(acme, "revoke_permission")).toMatchObject({
      category: "user",
      level: "notice",
      before: { role: "member", permissions: ["audit.view"] },
      after: { role: "member", permissions: [] },
    });
  });

  it("applies a revocation at the very next request", async () => {
    await as("admin@acme.test", () =>
      grantPermission("acme", { userId: id("member@acme.test"), permission: "audit.export" }),
    );
    expect((await as("member@acme.test", () => requirePermission("acme", "audit.export"))).ok).toBe(true);
    await as("admin@acme.test", () =>
      revokePermission("acme", { userId: id("member@acme.test"), permission: "audit.export" }),
    );
    const after = await as("member@acme.test", () => requirePermission("acme", "audit.export"));
    expect(after).toMatchObject({ ok: false, reason: "forbidden" });
  });

  it("never lets a member hold audit.manage", async () => {
    const result = await as("admin@acme.test", () =>
      grantPermission("acme", { userId: id("priya.natarajan@acme.test"), permission: "audit.manage" }),
    );
    expect(result.error).toMatch(/member cannot hold audit\.manage/);
    expect(await grantsOf(seeded.orgs.acme, "priya.natarajan@acme.test")).toEqual([]);
  });

  it("refuses changes to an admin's permissions, which are implicit", async () => {
    const result = await as("admin@acme.test", () =>
      revokePermission("acme", { userId: id("admin@acme.test"), permission: "audit.view" }),
    );
    expect(result.error).toBeDefined();
  });

  it("refuses a manager without audit.manage, whatever they ask", async () => {
    const target = { userId: id("member@acme.test"), permission: "audit.view" as const };
    expect(await as("manager@acme.test", () => grantPermission("acme", target))).toEqual({ error: NO_PERMISSION_TEXT });
    expect(await as("manager@acme.test", () => revokePermission("acme", target))).toEqual({
      error: NO_PERMISSION_TEXT,
    });
    expect(await as("manager@acme.test", () => changeRole("acme", { userId: target.userId, role: "manager" }))).toEqual(
      {
        error: NO_PERMISSION_TEXT,
      },
    );
    expect(await grantsOf(seeded.orgs.acme, "member@acme.test")).toEqual([]);
  });

  it("lets nobody grant more than they hold, themselves included", async () => {
    const acme = seeded.orgs.acme;
    // The manager gets audit.manage but loses export.
    await as("admin@acme.test", () =>
      grantPermission("acme", { userId: id("manager@acme.test"), permission: "audit.manage" }),
    );
    await as("admin@acme.test", () =>
      revokePermission("acme", { userId: id("manager@acme.test"), permission: "audit.export" }),
    );

    const self = await as("manager@acme.test", () =>
      grantPermission("acme", { userId: id("manager@acme.test"), permission: "audit.export" }),
    );
    expect(self.error).toMatch(/your own permissions/);
    const other = await as("manager@acme.test", () =>
      grantPermission("acme", { userId: id("lucas.moreau@acme.test"), permission: "audit.export" }),
    );
    expect(other.error).toBe("You can only grant permissions you hold yourself.");
    expect(await grantsOf(acme, "manager@acme.test")).toEqual(["audit.manage", "audit.view"]);
    expect(await grantsOf(acme, "lucas.moreau@acme.test")).toEqual([]);

    // What they hold they may pass on.
    const view = await as("manager@acme.test", () =>
      grantPermission("acme", { userId: id("lucas.moreau@acme.test"), permission: "audit.view" }),
    );
    expect(view.data?.permissions).toEqual(["audit.view"]);

    // Only admins change roles, even for a manager holding audit.manage.
    const role = await as("manager@acme.test", () =>
      changeRole("acme", { userId: id("lucas.moreau@acme.test"), role: "manager" }),
    );
    expect(role.error).toBe("Only admins can change roles.");

    // Restore the demo manager.
    await as("admin@acme.test", () =>
      grantPermission("acme", { userId: id("manager@acme.test"), permission: "audit.export" }),
    );
    await as("admin@acme.test", () =>
      revokePermission("acme", { userId: id("manager@acme.test"), permission: "audit.manage" }),
    );
    await as("admin@acme.test", () =>
      revokePermission("acme", { userId: id("lucas.moreau@acme.test"), permission: "audit.view" }),
    );
  });
});

describe("roles", () => {
  it("keeps at least one admin", async () => {
    const result = await as("admin@acme.test", () =>
      changeRole("acme", { userId: id("admin@acme.test"), role: "manager" }),
    );
    expect(result.error).toMatch(/at least one admin/);
    const [row] = await testDb.handle.db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.orgId, seeded.orgs.acme), eq(memberships.userId, id("admin@acme.test"))));
    expect(row?.role).toBe("admin");
  });

  it("keeps one admin when two admins demote each other at the same moment", async () => {
    const acme = seeded.orgs.acme;
    await as("admin@acme.test", () => changeRole("acme", { userId: id("kenji.sato@acme.test"), role: "admin" }));
    const results = await Promise.all([
      as("admin@acme.test", () => changeRole("acme", { userId: id("kenji.sato@acme.test"), role: "manager" })),
      as("kenji.sato@acme.test", () => changeRole("acme", { userId: id("admin@acme.test"), role: "manager" })),
    ]);
    const admins = await testDb.handle.db
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.orgId, acme), eq(memberships.role, "admin")));
    expect(admins).toHaveLength(1);
    expect(results.filter((r) => r.error !== undefined)).toHaveLength(1);
    // Put the demo roles back, whichever demotion won.
    const remaining = admins[0]!.userId === id("admin@acme.test") ? "admin@acme.test" : "kenji.sato@acme.test";
    if (remaining !== "admin@acme.test") {
      await as(remaining, () => changeRole("acme", { userId: id("admin@acme.test"), role: "admin" }));
      await as("admin@acme.test", () => changeRole("acme", { userId: id("kenji.sato@acme.test"), role: "manager" }));
    }
  });

  it("gives a new manager the role's default grants and a member loses audit.manage", async () => {
    const acme = seeded.orgs.acme;
    const promoted = await as("admin@acme.test", () =>
      changeRole("acme", { userId: id("hana.kobayashi@acme.test"), role: "manager" }),
    );
    expect(promoted.data).toMatchObject({ role: "manager", permissions: ["audit.view", "audit.export"] });
    expect(await latestEntry(acme, "change_role")).toMatchObject({
      category: "user",
      level: "notice",
      targetName: "hana.kobayashi@acme.test",
      params: { from: "member", to: "manager" },
      before: { role: "member", permissions: [] },
      after: { role: "manager", permissions: ["audit.view", "audit.export"] },
    });
    await as("admin@acme.test", () =>
      grantPermission("acme", { userId: id("hana.kobayashi@acme.test"), permission: "audit.manage" }),
    );
    const demoted = await as("admin@acme.test", () =>
      changeRole("acme", { userId: id("hana.kobayashi@acme.test"), role: "member" }),
    );
    expect(demoted.data).toMatchObject({ role: "member", permissions: ["audit.view", "audit.export"] });
    expect(await grantsOf(acme, "hana.kobayashi@acme.test")).toEqual(["audit.export", "audit.view"]);
    // Back to the demo state.
    await as("admin@acme.test", () =>
      revokePermission("acme", { userId: id("hana.kobayashi@acme.test"), permission: "audit.view" }),
    );
    await as("admin@acme.test", () =>
      revokePermission("acme", { userId: id("hana.kobayashi@acme.test"), permission: "audit.export" }),
    );
  });
});

describe("organizations stay apart", () => {
  it("answers another organization's member exactly like an unknown one", async () => {
    const foreign = id("auditor@globex.test");
    const unknown = "00000000-0000-4000-8000-000000000000";
    const a = await as("admin@acme.test", () =>
      grantPermission("acme", { userId: foreign, permission: "audit.manage" }),
    );
    const b = await as("admin@acme.test", () =>
      grantPermission("acme", { userId: unknown, permission: "audit.manage" }),
    );
    expect(a).toEqual({ error: "Member not found." });
    expect(b).toEqual(a);
    expect(
      await as("admin@acme.test", () => revokePermission("acme", { userId: foreign, permission: "audit.view" })),
    ).toEqual(a);
    expect(await as("admin@acme.test", () => changeRole("acme", { userId: foreign, role: "member" }))).toEqual(a);
    expect(await grantsOf(seeded.orgs.globex, "auditor@globex.test")).toEqual(["audit.export", "audit.view"]);
  });

  it("refuses an organization the caller does not belong to, like one that does not exist", async () => {
    const target = { userId: id("auditor@globex.test"), permission: "audit.view" as const };
    const foreign = await as("admin@acme.test", () => revokePermission("globex", target));
    const missing = await as("admin@acme.test", () => revokePermission("no-such-org", target));
    expect(foreign).toEqual({ error: "Organization not found." });
    expect(missing).toEqual(foreign);
    expect(await as("auditor@globex.test", () => requestAccess("acme"))).toEqual({ error: "Organization not found." });
  });

  it("does not decide another organization's access request", async () => {
    // The globex auditor loses view, asks for it, and an acme admin tries to approve it.
    await testDb.handle.db
      .delete(permissionGrants)
      .where(
        and(eq(permissionGrants.orgId, seeded.orgs.globex), eq(permissionGrants.userId, id("auditor@globex.test"))),
      );
    const asked = await as("auditor@globex.test", () => requestAccess("globex", { message: "please" }));
    expect(asked.data?.alreadyPending).toBe(false);
    const requestId = asked.data!.requestId;
    expect(await as("admin@acme.test", () => approveAccessRequest("acme", { requestId }))).toEqual({
      error: "Access request not found.",
    });
    expect(await as("admin@acme.test", () => declineAccessRequest("acme", { requestId }))).toEqual({
      error: "Access request not found.",
    });
    expect(await listPendingAccessRequests(seeded.orgs.acme)).toEqual([]);
    expect((await listPendingAccessRequests(seeded.orgs.globex)).map((r) => r.id)).toEqual([requestId]);
    // Nobody at globex can approve it (the auditor may not decide their own): put the grants back.
    await testDb.handle.db.update(accessRequests).set({ status: "declined" }).where(eq(accessRequests.id, requestId));
    await testDb.handle.db.insert(permissionGrants).values([
      { orgId: seeded.orgs.globex, userId: id("auditor@globex.test"), permission: "audit.view" },
      { orgId: seeded.orgs.globex, userId: id("auditor@globex.test"), permission: "audit.export" },
    ]);
  });

  it("lists only the organization's own members", async () => {
    const emails = (await listAccessMembers(seeded.orgs.acme)).map((m) => m.email);
    expect(emails).toContain("member@acme.test");
    expect(emails).not.toContain("auditor@globex.test");
  });
});

describe("access requests", () => {
  it("creates one pending request however often the member asks, and records it once", async () => {
    const acme = seeded.orgs.acme;
    const first = await as("member@acme.test", () => requestAccess("acme", { message: "  incident 42  " }));
    expect(first.data).toMatchObject({ alreadyPending: false });
    const second = await as("member@acme.test", () => requestAccess("acme", { message: "again" }));
    expect(second.data).toMatchObject({ alreadyPending: true, requestId: first.data!.requestId });
    expect(second.data?.message).toMatch(/already asked/);
    const concurrent = await Promise.all([1, 2, 3].map(() => as("member@acme.test", () => requestAccess("acme"))));
    expect(new Set(concurrent.map((r) => r.data?.requestId))).toEqual(new Set([first.data!.requestId]));

    const pending = await listPendingAccessRequests(acme);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ email: "member@acme.test", message: "incident 42" });
    expect(await entriesOf(acme, "request_access")).toHaveLength(1);
    expect(await latestEntry(acme, "request_access")).toMatchObject({
      category: "user",
      level: "notice",
      actorEmail: "member@acme.test",
      params: { requestId: first.data!.requestId, message: "incident 42" },
    });
    expect(await getMyAccessRequestState(acme, id("member@acme.test"))).toMatchObject({ kind: "pending" });
  });

  it("refuses a request from someone who can already view, or who is signed out", async () => {
    expect((await as("manager@acme.test", () => requestAccess("acme"))).error).toMatch(/already have access/);
    expect(await as(null, () => requestAccess("acme"))).toEqual({ error: "Your session has ended. Sign in again." });
    const tooLong = await as("lucas.moreau@acme.test", () => requestAccess("acme", { message: "x".repeat(1001) }));
    expect(tooLong.error).toMatch(/under 1000 characters/);
  });

  it("refuses to let the requester decide their own request", async () => {
    // A manager holding audit.manage but not view asks, then tries to approve it.
    const acme = seeded.orgs.acme;
    await as("admin@acme.test", () =>
      grantPermission("acme", { userId: id("kenji.sato@acme.test"), permission: "audit.manage" }),
    );
    await as("admin@acme.test", () =>
      revokePermission("acme", { userId: id("kenji.sato@acme.test"), permission: "audit.view" }),
    );
    const asked = await as("kenji.sato@acme.test", () => requestAccess("acme"));
    const requestId = asked.data!.requestId;
    expect((await as("kenji.sato@acme.test", () => approveAccessRequest("acme", { requestId }))).error).toMatch(
      /your own access request/,
    );
    expect((await as("kenji.sato@acme.test", () => declineAccessRequest("acme", { requestId }))).error).toMatch(
      /your own access request/,
    );
    expect(await grantsOf(acme, "kenji.sato@acme.test")).toEqual(["audit.export", "audit.manage"]);
    await as("admin@acme.test", () => declineAccessRequest("acme", { requestId }));
    await as("admin@acme.test", () =>
      grantPermission("acme", { userId: id("kenji.sato@acme.test"), permission: "audit.view" }),
    );
    await as("admin@acme.test", () =>
      revokePermission("acme", { userId: id("kenji.sato@acme.test"), permission: "audit.manage" }),
    );
  });

  it("approving grants view and export, once; the requester is told once", async () => {
    const acme = seeded.orgs.acme;
    const [request] = await listPendingAccessRequests(acme);
    expect(request?.email).toBe("member@acme.test");
    expect(await as("manager@acme.test", () => approveAccessRequest("acme", { requestId: request!.id }))).toEqual({
      error: NO_PERMISSION_TEXT,
    });

    const approved = await as("admin@acme.test", () => approveAccessRequest("acme", { requestId: request!.id }));
    expect(approved).toEqual({ data: { id: request!.id, status: "approved" } });
    expect(await grantsOf(acme, "member@acme.test")).toEqual(["audit.export", "audit.view"]);
    expect((await as("member@acme.test", () => requirePermission("acme", "audit.view"))).ok).toBe(true);
    expect(await latestEntry(acme, "approve_access_request")).toMatchObject({
      category: "user",
      level: "notice",
      actorEmail: "admin@acme.test",
      targetName: "member@acme.test",
      params: { requestId: request!.id, granted: ["audit.view", "audit.export"] },
      before: { role: "member", permissions: [] },
      after: { role: "member", permissions: ["audit.view", "audit.export"] },
    });

    const again = await as("admin@acme.test", () => approveAccessRequest("acme", { requestId: request!.id }));
    expect(again).toEqual({ error: "This request has already been decided." });
    expect(await listPendingAccessRequests(acme)).toEqual([]);

    expect(await getMyAccessRequestState(acme, id("member@acme.test"))).toMatchObject({
      kind: "approved",
      decidedByName: "Ada Admin",
    });
    expect(await getMyAccessRequestState(acme, id("member@acme.test"))).toEqual({ kind: "none" });

    // Back to "no audit permission" for the following tests.
    await as("admin@acme.test", () =>
      revokePermission("acme", { userId: id("member@acme.test"), permission: "audit.view" }),
    );
    await as("admin@acme.test", () =>
      revokePermission("acme", { userId: id("member@acme.test"), permission: "audit.export" }),
    );
  });

  it("declining grants nothing, is recorded, and the requester may ask again", async () => {
    const acme = seeded.orgs.acme;
    const asked = await as("priya.natarajan@acme.test", () => requestAccess("acme", { message: "quarterly review" }));
    const requestId = asked.data!.requestId;
    const declined = await as("admin@acme.test", () => declineAccessRequest("acme", { requestId }));
    expect(declined).toEqual({ data: { id: requestId, status: "declined" } });
    expect(await grantsOf(acme, "priya.natarajan@acme.test")).toEqual([]);
    expect(await latestEntry(acme, "decline_access_request")).toMatchObject({
      category: "user",
      level: "notice",
      targetName: "priya.natarajan@acme.test",
      before: { role: "member", permissions: [] },
      after: { role: "member", permissions: [] },
    });
    expect(await getMyAccessRequestState(acme, id("priya.natarajan@acme.test"))).toMatchObject({ kind: "declined" });
    expect(await getMyAccessRequestState(acme, id("priya.natarajan@acme.test"))).toEqual({ kind: "none" });
    const again = await as("priya.natarajan@acme.test", () => requestAccess("acme"));
    expect(again.data).toMatchObject({ alreadyPending: false });
    expect(again.data?.requestId).not.toBe(requestId);
    await as("admin@acme.test", () => declineAccessRequest("acme", { requestId: again.data!.requestId }));
  });
});

describe("requests to manage audit settings", () => {
  it("a manager without audit.manage asks for it; approving grants it alone, and each request is reported apart", async () => {
    const acme = seeded.orgs.acme;
    const asked = await as("manager@acme.test", () =>
      requestAccess("acme", { message: "retention review", permission: "audit.manage" }),
    );
    expect(asked.data).toMatchObject({ alreadyPending: false });
    const again = await as("manager@acme.test", () => requestAccess("acme", { permission: "audit.manage" }));
    expect(again.data).toMatchObject({ alreadyPending: true, requestId: asked.data!.requestId });
    // The manager holds view: the explorer's request state knows nothing of this one.
    expect(await getMyAccessRequestState(acme, id("manager@acme.test"))).toEqual({ kind: "none" });
    expect(await getMyAccessRequestState(acme, id("manager@acme.test"), "audit.manage")).toMatchObject({
      kind: "pending",
    });
    const [pending] = (await listPendingAccessRequests(acme)).filter((r) => r.email === "manager@acme.test");
    expect(pending).toMatchObject({ permission: "audit.manage", message: "retention review" });
    expect(await latestEntry(acme, "request_access")).toMatchObject({
      actorEmail: "manager@acme.test",
      params: { requestId: asked.data!.requestId, requested: ["audit.manage"] },
    });

    const approved = await as("admin@acme.test", () => approveAccessRequest("acme", { requestId: pending!.id }));
    expect(approved).toEqual({ data: { id: pending!.id, status: "approved" } });
    expect(await grantsOf(acme, "manager@acme.test")).toEqual(["audit.export", "audit.manage", "audit.view"]);
    expect(await latestEntry(acme, "approve_access_request")).toMatchObject({
      params: { requestId: pending!.id, granted: ["audit.manage"] },
    });
    expect(await getMyAccessRequestState(acme, id("manager@acme.test"), "audit.manage")).toMatchObject({
      kind: "approved",
      decidedByName: "Ada Admin",
    });
    expect(await getMyAccessRequestState(acme, id("manager@acme.test"), "audit.manage")).toEqual({ kind: "none" });

    expect((await as("manager@acme.test", () => requestAccess("acme", { permission: "audit.manage" }))).error).toMatch(
      /already manage/,
    );
    await as("admin@acme.test", () =>
      revokePermission("acme", { userId: id("manager@acme.test"), permission: "audit.manage" }),
    );
  });

  it("refuses a member, who can never hold audit.manage, and an unknown permission", async () => {
    const member = await as("member@acme.test", () => requestAccess("acme", { permission: "audit.manage" }));
    expect(member.error).toMatch(/Only managers can manage audit settings/);
    const odd = await as("member@acme.test", () =>
      requestAccess("acme", { permission: "audit.export" as "audit.view" }),
    );
    expect(odd.error).toBeDefined();
    expect((await listPendingAccessRequests(seeded.orgs.acme)).filter((r) => r.email === "member@acme.test")).toEqual(
      [],
    );
  });
});

describe("requests that must be refused before anything happens", () => {
  it("refuses every action without a session", async () => {
    const ended = { error: "Your session has ended. Sign in again." };
    const userId = id("member@acme.test");
    expect(await as(null, () => grantPermission("acme", { userId, permission: "audit.view" }))).toEqual(ended);
    expect(await as(null, () => revokePermission("acme", { userId, permission: "audit.view" }))).toEqual(ended);
    expect(await as(null, () => changeRole("acme", { userId, role: "admin" }))).toEqual(ended);
    const requestId = "00000000-0000-4000-8000-000000000000";
    expect(await as(null, () => approveAccessRequest("acme", { requestId }))).toEqual(ended);
    expect(await as(null, () => declineAccessRequest("acme", { requestId }))).toEqual(ended);
    expect(await grantsOf(seeded.orgs.acme, "member@acme.test")).toEqual([]);
  });

  it.each([
    ["a foreign Origin", { ...SITE, origin: "https://evil.example" }],
    ["Origin: null", { ...SITE, origin: "null" }],
    ["no Origin", { host: SITE.host }],
    ["a foreign Origin with a matching-looking suffix", { ...SITE, origin: "http://console.test.evil.example" }],
  ])("refuses %s even with a valid admin session", async (_label, headers) => {
    requestHeaders.current = new Headers(headers);
    try {
      const userId = id("member@acme.test");
      await expect(
        as("admin@acme.test", () => grantPermission("acme", { userId, permission: "audit.view" })),
      ).rejects.toBeInstanceOf(CrossOriginActionError);
      await expect(as("admin@acme.test", () => changeRole("acme", { userId, role: "admin" }))).rejects.toBeInstanceOf(
        CrossOriginActionError,
      );
      await expect(as("member@acme.test", () => requestAccess("acme"))).rejects.toBeInstanceOf(CrossOriginActionError);
      expect(await grantsOf(seeded.orgs.acme, "member@acme.test")).toEqual([]);
    } finally {
      requestHeaders.current = new Headers(SITE);
    }
  });

  it("accepts the site's own origin behind a proxy (x-forwarded-host)", async () => {
    requestHeaders.current = new Headers({
      origin: "https://audit.example.com",
      host: "10.0.0.5:3000",
      "x-forwarded-host": "audit.example.com",
    });
    try {
      const result = await as("admin@acme.test", () =>
        revokePermission("acme", { userId: id("member@acme.test"), permission: "audit.view" }),
      );
      expect(result.error).toBeUndefined();
    } finally {
      requestHeaders.current = new Headers(SITE);
    }
  });

  it("validates the input on the server", async () => {
    const invalid = { error: "The request was not understood. Reload the page and try again." };
    expect(
      await as("admin@acme.test", () => grantPermission("acme", { userId: "not-a-uuid", permission: "audit.view" })),
    ).toEqual(invalid);
    const forged = { userId: id("member@acme.test"), permission: "audit.everything" } as unknown as {
      userId: string;
      permission: "audit.view";
    };
    expect(await as("admin@acme.test", () => grantPermission("acme", forged))).toEqual(invalid);
    const extra = { userId: id("member@acme.test"), role: "admin", orgId: seeded.orgs.globex } as unknown as {
      userId: string;
      role: "admin";
    };
    expect(await as("admin@acme.test", () => changeRole("acme", extra))).toEqual(invalid);
    expect(
      await as("admin@acme.test", () => approveAccessRequest("acme", { requestId: "1; drop table users" })),
    ).toEqual(invalid);
  });
});
