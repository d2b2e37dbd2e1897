import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditLogs } from "@/db/schema";
import { seedDemoAccounts, type SeededDemoAccounts } from "@/db/seed/demo-accounts";
import { consoleServerHeaders } from "../helpers/console-server-headers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * The explorer's "N new entries" bar against a real database: the count of entries that sort above
 * the first listed row, through the page's own parser and WHERE, capped, scoped to the caller's
 * organization; and the server action's gate (audit.view re-read from the database, another
 * organization answered like a missing one, bad input refused). Only the session and the request
 * headers are replaced.
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
// No time zone reported: the reader's zone is UTC, as for a browser that never sent one.
vi.mock("next/headers", () => ({
  headers: async () => new Headers(SITE),
  cookies: async () => ({ get: () => undefined }),
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

const { countNewEntries } = await import("@/app/orgs/[org]/audit-logs/lib/actions");
const { countNewerEntries, NEW_ENTRIES_CAP } = await import("@/lib/audit-log/new-entries");
const { selectionFromParams, rawSearchParams } = await import("@/lib/audit-log/selection");
const { NO_PERMISSION_TEXT } = await import("@/lib/auth/messages");

let testDb: TestDatabase;
let seeded: SeededDemoAccounts;
const tag = `nb${randomUUID().slice(0, 8)}`;
const base = Date.now() - 60 * 60_000;

function as<T>(email: string, fn: () => Promise<T>): Promise<T> {
  return session.run(seeded.users[email]!, fn);
}

interface Row {
  id: string;
  orgId: string;
  at: number;
  category?: "auth" | "service";
  action?: string;
}

async function insert(rows: Row[]): Promise<void> {
  await testDb.handle.db.insert(auditLogs).values(
    rows.map((r) => ({
      id: r.id,
      orgId: r.orgId,
      category: r.category ?? "service",
      occurredAt: new Date(r.at),
      action: r.action ?? tag,
      result: "done" as const,
      actorEmail: "kim@acme.test",
      description: `${tag} entry`,
    })),
  );
}

const marker = (row: Row) => ({ id: row.id, occurredAt: new Date(row.at).toISOString() });
const selectionOf = (orgId: string, query: string) => selectionFromParams(orgId, rawSearchParams(query)).selection;

const first: Row[] = [];
beforeAll(async () => {
  testDb = await createTestDatabase();
  seeded = await seedDemoAccounts(testDb.handle.db);
  for (let i = 0; i < 3; i++) first.push({ id: randomUUID(), orgId: seeded.orgs.acme, at: base + i * 1000 });
  await insert(first);
});
afterAll(async () => {
  await testDb?.drop();
});

describe("countNewerEntries", () => {
  it("counts what sorts above the first listed row for the same search, and nothing else", async () => {
    const newest = first[2]!;
    const search = `q=action%3A${tag}`;
    expect(await countNewerEntries(selectionOf(seeded.orgs.acme, search), marker(newest))).toEqual({
      exact: true,
      count: 0,
    });

    const later = base + 10_000;
    await insert([
      { id: randomUUID(), orgId: seeded.orgs.acme, at: later },
      { id: randomUUID(), orgId: seeded.orgs.acme, at: later + 1 },
      // Same instant as the shown row: the id decides, as in the listing's order.
      { id: "ffffffff-ffff-4fff-bfff-ffffffffffff", orgId: seeded.orgs.acme, at: newest.at },
      { id: "00000000-0000-4000-8000-000000000000", orgId: seeded.orgs.acme, at: newest.at },
      // Not the search: another action, another organization, an older entry.
      { id: randomUUID(), orgId: seeded.orgs.acme, at: later, action: "other_action" },
      { id: randomUUID(), orgId: seeded.orgs.globex, at: later },
      { id: randomUUID(), orgId: seeded.orgs.acme, at: base - 5_000 },
    ]);

    expect(await countNewerEntries(selectionOf(seeded.orgs.acme, search), marker(newest))).toEqual({
      exact: true,
      count: 3,
    });
    // The search's other filters apply too: no auth entry is new.
    expect(await countNewerEntries(selectionOf(seeded.orgs.acme, `${search}&type=auth`), marker(newest))).toEqual({
      exact: true,
      count: 0,
    });
    // Nothing listed yet: every match is new (the three shown, the three newer, two older).
    expect(await countNewerEntries(selectionOf(seeded.orgs.acme, search), null)).toEqual({ exact: true, count: 8 });
    expect(await countNewerEntries(selectionOf(seeded.orgs.globex, search), null)).toEqual({ exact: true, count: 1 });
  });

  it("stops at the cap and says so", async () => {
    const cap = 2;
    expect(await countNewerEntries(selectionOf(seeded.orgs.acme, `q=action%3A${tag}`), null, cap)).toEqual({
      exact: false,
      atLeast: cap,
    });
    expect(NEW_ENTRIES_CAP).toBeGreaterThan(cap);
  });
});

describe("the countNewEntries action", () => {
  const query = () => `q=action%3A${tag}&entry=${first[0]!.id}`;

  it("answers a member with audit.view through the page's parser", async () => {
    const answer = await as("manager@acme.test", () =>
      countNewEntries("acme", { query: query(), newest: marker(first[2]!) }),
    );
    expect(answer).toEqual({ data: { count: 3, more: false } });
  });

  it("refuses a member without audit.view, and another organization like a missing one", async () => {
    const denied = await as("member@acme.test", () => countNewEntries("acme", { query: query(), newest: null }));
    expect(denied.error).toBe(NO_PERMISSION_TEXT);
    expect(denied.data).toBeUndefined();

    const foreign = await as("auditor@globex.test", () => countNewEntries("acme", { query: query(), newest: null }));
    const missing = await as("auditor@globex.test", () =>
      countNewEntries("no-such-org", { query: query(), newest: null }),
    );
    expect(foreign.data).toBeUndefined();
    expect(foreign).toEqual(missing);
  });

  it("refuses input it cannot read with a message", async () => {
    const answer = await as("admin@acme.test", () =>
      countNewEntries("acme", { query: query(), newest: { id: "not-an-id", occurredAt: "yesterday" } }),
    );
    expect(answer).toEqual({ error: "The search could not be read." });
  });
});
