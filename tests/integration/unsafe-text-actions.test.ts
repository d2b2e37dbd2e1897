import { AsyncLocalStorage } from "node:async_hooks";
import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { accessRequests, apiKeys, auditLogs } from "@/db/schema";
import { seedDemoAccounts, type SeededDemoAccounts } from "@/db/seed/demo-accounts";
import { UNSAFE_TEXT_FORM_MESSAGE } from "@/lib/validation/safe-text";
import { consoleServerHeaders } from "../helpers/console-server-headers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * Server actions given text PostgreSQL cannot store (a NUL, an unpaired surrogate) refuse it with a
 * message and change nothing; before, each such call failed inside a query and answered 500. Only
 * the session lookup, request headers and revalidatePath are replaced.
 */
const session = new AsyncLocalStorage<string | null>();
const requestHeaders = { current: new Headers() };

vi.mock("@/lib/auth/auth", () => ({
  auth: async () => {
    const id = session.getStore();
    return id ? { user: { id }, expires: new Date(Date.now() + 3_600_000).toISOString() } : null;
  },
  signIn: async () => {
    throw new Error("signIn must not be reached with unstorable text");
  },
}));
// next-auth's own module does not load outside Next.js; the sign-in action only needs its error classes.
vi.mock("next-auth", () => ({ AuthError: class extends Error {}, CredentialsSignin: class extends Error {} }));
vi.mock("next/headers", () => ({ headers: async () => requestHeaders.current }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

const { requestAccess } = await import("@/lib/access-requests/request-actions");
const { createApiKeyAction } = await import("@/app/orgs/[org]/settings/api-keys/lib/actions");
const { grantPermission } = await import("@/app/orgs/[org]/settings/access/lib/actions");
const { saveRetentionSettings } = await import("@/app/orgs/[org]/settings/retention/lib/actions");
const { prepareExportCount, startExport } = await import("@/app/orgs/[org]/audit-logs/lib/export-actions");
const { searchUsers } = await import("@/app/orgs/[org]/audit-logs/lib/actions");
const { signInWithPassword } = await import("@/app/login/lib/actions");

const UNSAFE = ["a\u0000b", "a\ud800b", "\udc00"];

let testDb: TestDatabase;
let seeded: SeededDemoAccounts;

function as<T>(email: string, fn: () => Promise<T>): Promise<T> {
  const id = seeded.users[email];
  if (!id) throw new Error(`no demo user ${email}`);
  return session.run(id, fn);
}

async function rows() {
  const db = testDb.handle.db;
  const [logs] = await db.select({ n: count() }).from(auditLogs);
  const [keys] = await db.select({ n: count() }).from(apiKeys);
  const [requests] = await db.select({ n: count() }).from(accessRequests);
  return { logs: logs!.n, keys: keys!.n, requests: requests!.n };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  seeded = await seedDemoAccounts(testDb.handle.db);
  requestHeaders.current = new Headers(consoleServerHeaders("console.test", "198.51.100.9"));
});
afterAll(async () => {
  await testDb?.drop();
});

describe("server actions refuse text PostgreSQL cannot store", () => {
  it.each(UNSAFE)("access request message %j", async (text) => {
    const before = await rows();
    const answer = await as("member@acme.test", () => requestAccess("acme", { message: `please ${text}` }));
    expect(answer).toEqual({ error: UNSAFE_TEXT_FORM_MESSAGE });
    expect(await rows()).toEqual(before);
  });

  it.each(UNSAFE)("API key name %j", async (text) => {
    const before = await rows();
    const answer = await as("admin@acme.test", () => createApiKeyAction("acme", { name: `ci ${text}` }));
    expect(answer).toEqual({ error: UNSAFE_TEXT_FORM_MESSAGE });
    expect(await rows()).toEqual(before);
  });

  // FormData (like a posted form) turns a lone surrogate into U+FFFD, so only a NUL can arrive here.
  it("sign-in email with a NUL", async () => {
    const text = "\u0000";
    const before = await rows();
    const form = new FormData();
    form.set("email", `admin${text}@acme.test`);
    form.set("password", "demo-password");
    expect(await signInWithPassword(null, form)).toEqual({ error: UNSAFE_TEXT_FORM_MESSAGE });
    expect(await rows()).toEqual(before);
  });

  it.each(UNSAFE)("organization slug %j, in every kind of action", async (text) => {
    const before = await rows();
    const slug = `acme${text}`;
    const admin = <T>(fn: () => Promise<T>) => as("admin@acme.test", fn);
    expect(await as("member@acme.test", () => requestAccess(slug, { message: "hi" }))).toHaveProperty("error");
    expect(await admin(() => createApiKeyAction(slug, { name: "ci" }))).toHaveProperty("error");
    expect(
      await admin(() => grantPermission(slug, { userId: seeded.users["member@acme.test"]!, permission: "audit.view" })),
    ).toHaveProperty("error");
    const form = new FormData();
    form.set("orgSlug", slug);
    expect(await admin(() => saveRetentionSettings(null, form))).toEqual({ error: "Organization not found." });
    expect(await admin(() => prepareExportCount(slug, ""))).toHaveProperty("error");
    expect(await admin(() => searchUsers(slug, "kim"))).toEqual({ error: "Organization not found." });
    expect(await rows()).toEqual(before);
  });

  it.each(UNSAFE)("retention days %j", async (text) => {
    const before = await rows();
    const form = new FormData();
    form.set("orgSlug", "acme");
    form.set("days.auth", `90${text}`);
    const answer = await as("admin@acme.test", () => saveRetentionSettings(null, form));
    expect(answer).toHaveProperty("fieldErrors.days\\.auth");
    expect(await rows()).toEqual(before);
  });

  it.each(UNSAFE)("export search and time zone %j", async (text) => {
    const admin = <T>(fn: () => Promise<T>) => as("admin@acme.test", fn);
    const before = await rows();
    // As a URL carries it (percent-encoded; a URL cannot carry a lone surrogate, it decodes to
    // U+FFFD): the search param is ignored, the count still answers.
    const encoded = await admin(() => prepareExportCount("acme", "q=x%00y&user=a%00b"));
    expect(encoded).toHaveProperty("data.count");
    expect(await admin(() => prepareExportCount("acme", `q=x${text}`))).toEqual({
      error: "The search could not be read. Reload the page and try again.",
    });
    expect(await admin(() => startExport("acme", { search: "", format: "csv", timeZone: `UTC${text}` }))).toEqual({
      error: "The export request was not understood. Reload the page and try again.",
    });
    expect(await rows()).toEqual(before);
  });

  it.each(UNSAFE)("the filter panel's user search %j finds nobody", async (text) => {
    expect(await as("admin@acme.test", () => searchUsers("acme", `kim${text}`))).toEqual({ data: [] });
  });
});
