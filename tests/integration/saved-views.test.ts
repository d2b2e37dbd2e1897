import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditLogs, savedViews } from "@/db/schema";
import { seedDemoAccounts, type SeededDemoAccounts } from "@/db/seed/demo-accounts";
import { consoleServerHeaders } from "../helpers/console-server-headers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * Saved views against a real database: every organization starts with its two organization views;
 * a member saves the current search (stored as the explorer writes it), shares it, renames it;
 * organization views are changed only with audit.manage; whatever everyone sees is recorded in the
 * log, a private view is not; another person's private view and another organization's view are
 * answered like missing ones, and refused input changes nothing.
 */
const session = new AsyncLocalStorage<string | null>();
const SITE = consoleServerHeaders("console.test", "198.51.100.7");

vi.mock("@/lib/auth/auth", () => ({
  auth: async () => {
    const id = session.getStore();
    return id ? { user: { id }, expires: new Date(Date.now() + 3_600_000).toISOString() } : null;
  },
  signIn: vi.fn(),
  signOut: vi.fn(),
}));
vi.mock("next/headers", () => ({
  headers: async () => new Headers(SITE),
  cookies: async () => ({ get: () => undefined }),
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

const { saveView, updateView, deleteView } = await import("@/app/orgs/[org]/audit-logs/lib/view-actions");
const { listSavedViews } = await import("@/lib/saved-views/queries");
const { getOrgAccess } = await import("@/lib/auth/access");
const { NO_PERMISSION_TEXT } = await import("@/lib/auth/messages");

let testDb: TestDatabase;
let seeded: SeededDemoAccounts;
const tag = `sv${randomUUID().slice(0, 8)}`;

function as<T>(email: string, fn: () => Promise<T>): Promise<T> {
  return session.run(seeded.users[email]!, fn);
}

async function viewsOf(email: string, org = "acme") {
  return as(email, async () => {
    const result = await getOrgAccess(org);
    if (!result.ok) throw new Error(`no access to ${org}`);
    return listSavedViews(result.access);
  });
}

async function entries(action: string) {
  return testDb.handle.db
    .select({ description: auditLogs.description, actorEmail: auditLogs.actorEmail, after: auditLogs.after })
    .from(auditLogs)
    .where(and(eq(auditLogs.orgId, seeded.orgs.acme), eq(auditLogs.action, action)));
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  seeded = await seedDemoAccounts(testDb.handle.db);
});

afterAll(async () => {
  await testDb?.drop();
});

describe("saved views", () => {
  it("every organization starts with its two organization views, which only managers of the log may change", async () => {
    const manager = await viewsOf("manager@acme.test");
    expect(manager.map((v) => [v.name, v.visibility, v.canEdit])).toEqual([
      ["Permission changes", "organization", false],
      ["Security events", "organization", false],
    ]);
    const admin = await viewsOf("admin@acme.test");
    expect(admin.every((v) => v.canEdit)).toBe(true);
    expect((await viewsOf("auditor@globex.test", "globex")).map((v) => v.name)).toEqual([
      "Permission changes",
      "Security events",
    ]);
    // A rerun of the seed leaves the organizations' views as they are.
    await seedDemoAccounts(testDb.handle.db);
    expect(await viewsOf("manager@acme.test")).toHaveLength(2);
  });

  it("a member saves the current search for themselves: kept as the explorer writes it, not recorded", async () => {
    const answer = await as("manager@acme.test", () =>
      saveView("acme", {
        name: `  ${tag} mine `,
        search: `cursor=abc&entry=${randomUUID()}&result=failed&type=auth,user&q=${tag}`,
        visibility: "private",
      }),
    );
    expect(answer).toEqual({
      data: {
        id: expect.any(String),
        name: `${tag} mine`,
        search: `type=auth%2Cuser&result=failed&q=${tag}`,
        visibility: "private",
      },
    });
    expect((await viewsOf("manager@acme.test")).find((v) => v.name === `${tag} mine`)).toMatchObject({
      mine: true,
      canEdit: true,
      ownerName: null,
    });
    expect((await viewsOf("admin@acme.test")).some((v) => v.name === `${tag} mine`)).toBe(false);
    expect(await entries("create_saved_view")).toHaveLength(0);

    const twice = await as("manager@acme.test", () =>
      saveView("acme", { name: `${tag} mine`, search: "", visibility: "private" }),
    );
    expect(twice).toEqual({
      error: `You already have a view named "${tag} mine".`,
      fieldErrors: { name: "Choose another name." },
    });
    expect((await viewsOf("manager@acme.test")).filter((v) => v.name === `${tag} mine`)).toHaveLength(1);
  });

  it("sharing it shows it to everyone, with its owner's name, and is recorded", async () => {
    const view = (await viewsOf("manager@acme.test")).find((v) => v.name === `${tag} mine`)!;
    const shared = await as("manager@acme.test", () => updateView("acme", { id: view.id, shared: true }));
    expect(shared.data?.visibility).toBe("shared");
    expect((await viewsOf("admin@acme.test")).find((v) => v.id === view.id)).toMatchObject({
      visibility: "shared",
      mine: false,
      canEdit: true,
      ownerName: "Max Manager",
    });
    const [recorded] = await entries("update_saved_view");
    expect(recorded).toMatchObject({
      description: `Shared view "${tag} mine" changed`,
      actorEmail: "manager@acme.test",
      after: { name: `${tag} mine`, search: view.search, visibility: "shared" },
    });

    // A manager of the log may rename it; only its owner may make it private again.
    const renamed = await as("admin@acme.test", () => updateView("acme", { id: view.id, name: `${tag} renamed` }));
    expect(renamed.data?.name).toBe(`${tag} renamed`);
    const unshare = await as("admin@acme.test", () => updateView("acme", { id: view.id, shared: false }));
    expect(unshare).toEqual({ error: "Only its owner can share a view or make it private again." });
  });

  it("organization views are added and deleted only by those who manage the log, and recorded", async () => {
    const refused = await as("manager@acme.test", () =>
      saveView("acme", { name: `${tag} for all`, search: "type=vpn", visibility: "organization" }),
    );
    expect(refused).toEqual({
      error: "Only people who manage the audit log can add views for the whole organization.",
    });
    const security = (await viewsOf("manager@acme.test")).find((v) => v.name === "Security events")!;
    const notDeleted = await as("manager@acme.test", () => deleteView("acme", { id: security.id }));
    expect(notDeleted).toEqual({
      error: "Only its owner, or someone who manages the audit log, can change this view.",
    });

    const added = await as("admin@acme.test", () =>
      saveView("acme", { name: `${tag} for all`, search: "type=vpn", visibility: "organization" }),
    );
    expect(added.data?.visibility).toBe("organization");
    const deleted = await as("admin@acme.test", () => deleteView("acme", { id: security.id }));
    expect(deleted).toEqual({ data: { id: security.id } });
    expect((await viewsOf("manager@acme.test")).map((v) => v.name)).toEqual([
      "Permission changes",
      `${tag} for all`,
      `${tag} renamed`,
    ]);
    expect((await entries("create_saved_view")).map((e) => e.description)).toEqual([
      `Organization view "${tag} for all" saved`,
    ]);
    expect((await entries("delete_saved_view")).map((e) => e.description)).toEqual([
      'Organization view "Security events" deleted',
    ]);
  });

  it("another person's private view, another organization's and a missing one get the same answer", async () => {
    const secret = await as("admin@acme.test", () =>
      saveView("acme", { name: `${tag} private`, search: "", visibility: "private" }),
    );
    const id = secret.data!.id;
    const other = await as("manager@acme.test", () => deleteView("acme", { id }));
    const missing = await as("manager@acme.test", () => deleteView("acme", { id: randomUUID() }));
    const foreign = await as("auditor@globex.test", () => deleteView("globex", { id }));
    expect(other).toEqual({ error: "That view no longer exists." });
    expect(missing).toEqual(other);
    expect(foreign).toEqual(other);
    const rows = await testDb.handle.db.select({ id: savedViews.id }).from(savedViews).where(eq(savedViews.id, id));
    expect(rows).toHaveLength(1);
  });

  it("needs audit.view, and refuses a name it cannot keep without changing anything", async () => {
    const member = await as("member@acme.test", () =>
      saveView("acme", { name: `${tag} member`, search: "", visibility: "private" }),
    );
    expect(member).toEqual({ error: NO_PERMISSION_TEXT });
    for (const name of ["   ", "x".repeat(81), "nul\u0000byte"]) {
      const answer = await as("manager@acme.test", () => saveView("acme", { name, search: "", visibility: "private" }));
      expect(answer.error).toMatch(/^The view could not be saved: check its name\./);
    }
    const all = await testDb.handle.db.select({ name: savedViews.name }).from(savedViews);
    expect(all.some((r) => r.name.includes(`${tag} member`) || r.name.startsWith("x") || r.name.includes("nul"))).toBe(
      false,
    );
  });
});
