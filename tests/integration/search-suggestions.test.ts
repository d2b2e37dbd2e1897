import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditLogs } from "@/db/schema";
import { seedDemoAccounts, type SeededDemoAccounts } from "@/db/seed/demo-accounts";
import { consoleServerHeaders } from "../helpers/console-server-headers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * The search box's suggestions from the log, against a real database: the organization's distinct
 * actions by prefix (a loose index scan: each once, in order, however many entries have it), never
 * another organization's; people as the user filter finds them; the action's gate.
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
vi.mock("next/headers", () => ({ headers: async () => new Headers(SITE) }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

const { suggestSearchValues } = await import("@/app/orgs/[org]/audit-logs/lib/actions");
const { suggestActions } = await import("@/lib/audit-log/action-names");
const { NO_PERMISSION_TEXT } = await import("@/lib/auth/messages");

let testDb: TestDatabase;
let seeded: SeededDemoAccounts;
const tag = `sg${randomUUID().slice(0, 8)}`;

function as<T>(email: string, fn: () => Promise<T>): Promise<T> {
  return session.run(seeded.users[email]!, fn);
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  seeded = await seedDemoAccounts(testDb.handle.db);
  const now = Date.now();
  const rows = [
    ...Array.from({ length: 60 }, (_, i) => ({
      orgId: seeded.orgs.acme,
      action: `${tag}_alpha`,
      at: now - i * 60_000,
    })),
    { orgId: seeded.orgs.acme, action: `${tag}_beta`, at: now },
    { orgId: seeded.orgs.acme, action: `${tag}_gamma`, at: now - 40 * 86_400_000 },
    { orgId: seeded.orgs.globex, action: `${tag}_secret`, at: now },
  ];
  await testDb.handle.db.insert(auditLogs).values(
    rows.map((r) => ({
      orgId: r.orgId,
      occurredAt: new Date(r.at),
      category: "service" as const,
      action: r.action,
      result: "done" as const,
    })),
  );
});

afterAll(async () => {
  await testDb?.drop();
});

describe("action suggestions", () => {
  it("are the organization's distinct actions starting with the text, in order, each once", async () => {
    expect(await suggestActions(seeded.orgs.acme, tag)).toEqual([`${tag}_alpha`, `${tag}_beta`, `${tag}_gamma`]);
    expect(await suggestActions(seeded.orgs.acme, `${tag}_b`)).toEqual([`${tag}_beta`]);
    expect(await suggestActions(seeded.orgs.acme, tag, 2)).toEqual([`${tag}_alpha`, `${tag}_beta`]);
    expect(await suggestActions(seeded.orgs.acme, `${tag}_zzz`)).toEqual([]);
    expect(await suggestActions(seeded.orgs.globex, tag)).toEqual([`${tag}_secret`]);
  });
});

describe("the suggestSearchValues action", () => {
  it("answers a member with audit.view: actions, and people from the log", async () => {
    const actions = await as("manager@acme.test", () => suggestSearchValues("acme", { key: "action", text: tag }));
    expect(actions.data?.map((s) => s.value)).toEqual([`${tag}_alpha`, `${tag}_beta`, `${tag}_gamma`]);
    // Members come from the membership; actors who are not members from the actor directory,
    // which a background job fills (tests/integration/actor-directory.test.ts).
    const people = await as("manager@acme.test", () => suggestSearchValues("acme", { key: "user", text: "kenji" }));
    expect(people.data).toEqual([
      { value: "kenji.sato@acme.test", label: "Kenji Sato", detail: "kenji.sato@acme.test" },
    ]);
  });

  it("refuses a member without audit.view, another organization like a missing one, and other keys", async () => {
    const member = await as("member@acme.test", () => suggestSearchValues("acme", { key: "action", text: tag }));
    expect(member).toEqual({ error: NO_PERMISSION_TEXT });
    const foreign = await as("auditor@globex.test", () => suggestSearchValues("acme", { key: "action", text: tag }));
    const missing = await as("auditor@globex.test", () => suggestSearchValues("nope", { key: "action", text: tag }));
    expect(foreign.data).toBeUndefined();
    expect(foreign).toEqual(missing);
    const other = await as("manager@acme.test", () =>
      suggestSearchValues("acme", { key: "ip" as "user", text: "10." }),
    );
    expect(other).toEqual({ error: "Suggestions could not be read." });
  });
});
