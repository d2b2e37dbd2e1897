import { AsyncLocalStorage } from "node:async_hooks";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { apiKeys, auditLogs } from "@/db/schema";
import { seedDemoAccounts, type SeededDemoAccounts } from "@/db/seed/demo-accounts";
import { consoleServerHeaders } from "../helpers/console-server-headers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * The server-action wrapper (lib/actions) against a real database: every action checks the
 * request's origin, including the four that did not (both sign-in actions, sign-out, the user
 * search); a refusal rolls the action's transaction back; an unexpected error is logged once and
 * answered with a generic message, never with success. Only Auth.js (the session, signIn and
 * signOut), the request headers and revalidatePath are replaced.
 */
const session = new AsyncLocalStorage<string | null>();
const requestHeaders = { current: new Headers() };
const signIn = vi.fn(async (..._args: unknown[]) => {});
const signOut = vi.fn(async (..._args: unknown[]) => {});

vi.mock("@/lib/auth/auth", () => ({
  auth: async () => {
    const id = session.getStore();
    return id ? { user: { id }, expires: new Date(Date.now() + 3_600_000).toISOString() } : null;
  },
  signIn: (...args: unknown[]) => signIn(...args),
  signOut: (...args: unknown[]) => signOut(...args),
}));
vi.mock("next-auth", () => {
  class AuthError extends Error {}
  class CredentialsSignin extends AuthError {
    code = "credentials";
  }
  return { AuthError, CredentialsSignin };
});
vi.mock("next/headers", () => ({ headers: async () => requestHeaders.current }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

const { signInWithOidc, signInWithPassword } = await import("@/app/login/lib/actions");
const { signOutAction } = await import("@/components/app-shell/sign-out-action");
const { searchUsers } = await import("@/app/orgs/[org]/audit-logs/lib/actions");
const { orgAction } = await import("@/lib/actions/org-action");
const { refuse } = await import("@/lib/actions/action-refusal");
const { UNEXPECTED_ACTION_ERROR } = await import("@/lib/actions/settle");
const { CrossOriginActionError } = await import("@/lib/security/same-origin");

const SITE = consoleServerHeaders("console.test", "198.51.100.7");

let testDb: TestDatabase;
let seeded: SeededDemoAccounts;

function as<T>(email: string | null, fn: () => Promise<T>): Promise<T> {
  return session.run(email === null ? null : seeded.users[email]!, fn);
}

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
}

async function withHeaders<T>(init: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  requestHeaders.current = new Headers(init);
  try {
    return await fn();
  } finally {
    requestHeaders.current = new Headers(SITE);
  }
}

async function loginEntries(): Promise<number> {
  const rows = await testDb.handle.db.select({ id: auditLogs.id }).from(auditLogs).where(eq(auditLogs.action, "login"));
  return rows.length;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  seeded = await seedDemoAccounts(testDb.handle.db);
  requestHeaders.current = new Headers(SITE);
});
afterAll(async () => {
  await testDb?.drop();
});

describe("the origin check in every action", () => {
  it.each([
    ["a foreign Origin", { ...SITE, origin: "https://evil.example" }],
    ["Origin: null", { ...SITE, origin: "null" }],
    ["no Origin", { host: SITE.host, "x-forwarded-host": SITE.host }],
    ["an unparseable Origin", { ...SITE, origin: "http://[bad" }],
  ])("refuses the sign-in, sign-out and user search actions from %s", async (_label, headers) => {
    signIn.mockClear();
    signOut.mockClear();
    const before = await loginEntries();
    const actions: Record<string, () => Promise<unknown>> = {
      signInWithPassword: () => signInWithPassword(null, form({ email: "admin@acme.test", password: "demo-password" })),
      signInWithOidc: () => signInWithOidc(form({ callbackUrl: "/" })),
      signOutAction: () => as("admin@acme.test", () => signOutAction(form({}))),
      searchUsers: () => as("admin@acme.test", () => searchUsers("acme", "admin")),
    };
    const notRefused: string[] = [];
    await withHeaders(headers, async () => {
      for (const [name, action] of Object.entries(actions)) {
        const error = await action().then(
          () => null,
          (e: unknown) => e,
        );
        if (!(error instanceof CrossOriginActionError)) notRefused.push(name);
      }
    });
    expect(notRefused).toEqual([]);
    expect(signIn).not.toHaveBeenCalled();
    expect(signOut).not.toHaveBeenCalled();
    expect(await loginEntries()).toBe(before);
  });

  it("runs them from a page of this site", async () => {
    signIn.mockClear();
    signOut.mockClear();
    await signInWithOidc(form({ callbackUrl: "/orgs/acme/audit-logs" }));
    expect(signIn).toHaveBeenCalledWith("oidc", { redirectTo: "/orgs/acme/audit-logs" });
    await as("admin@acme.test", () => signOutAction(form({})));
    expect(signOut).toHaveBeenCalledWith({ redirectTo: "/login" });
    const found = await as("admin@acme.test", () => searchUsers("acme", "admin"));
    expect(found.data?.map((u) => u.email)).toContain("admin@acme.test");
  });

  it("answers a sign-in form's problems in the one error shape", async () => {
    expect(await signInWithPassword(null, form({ email: " ", password: "x" }))).toEqual({ error: "Enter your email." });
    signIn.mockRejectedValueOnce(new Error("database unreachable"));
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect(await signInWithPassword(null, form({ email: "admin@acme.test", password: "x" }))).toEqual({
        error: "Sign-in failed. Try again.",
      });
      expect(log).toHaveBeenCalledTimes(1);
    } finally {
      log.mockRestore();
    }
  });
});

describe("the wrapper's answers", () => {
  // An action of the test's own, shaped like the real ones: it writes a key and its audit entry.
  const keyName = (suffix: string) => `wrapper-probe-${suffix}`;
  const probe = orgAction(
    {
      name: "probe",
      schema: z.object({ name: z.string(), fail: z.enum(["no", "refuse", "crash"]) }),
      permission: "audit.manage",
      transaction: true,
    },
    async ({ name, fail }, { org, user, db, record }) => {
      const [row] = await db
        .insert(apiKeys)
        .values({ orgId: org.id, name, prefix: name.slice(-8), secretHash: `hash-${name}`, createdBy: user.id })
        .returning({ id: apiKeys.id });
      await record({
        category: "secret",
        action: "create_api_key",
        description: `probe ${name}`,
        service: "API keys",
        target: { type: "api_key", id: row!.id, name },
      });
      if (fail === "refuse") refuse("Refused on purpose.");
      if (fail === "crash") throw new Error("a defect");
      return { id: row!.id };
    },
  );

  async function stored(name: string) {
    const keys = await testDb.handle.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.name, name));
    const entries = await testDb.handle.db
      .select({ id: auditLogs.id, ip: auditLogs.ip, actorEmail: auditLogs.actorEmail, level: auditLogs.level })
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "create_api_key"), eq(auditLogs.description, `probe ${name}`)));
    return { keys: keys.length, entries };
  }

  it("commits the change with its audit entry, written the console's one way", async () => {
    const result = await as("admin@acme.test", () => probe("acme", { name: keyName("ok"), fail: "no" }));
    expect(result.error).toBeUndefined();
    const { keys, entries } = await stored(keyName("ok"));
    expect(keys).toBe(1);
    expect(entries).toEqual([
      { id: expect.any(String), ip: "198.51.100.7", actorEmail: "admin@acme.test", level: "notice" },
    ]);
  });

  it("answers a refusal with its message and keeps nothing of the transaction", async () => {
    const result = await as("admin@acme.test", () => probe("acme", { name: keyName("refused"), fail: "refuse" }));
    expect(result).toEqual({ error: "Refused on purpose." });
    expect(await stored(keyName("refused"))).toEqual({ keys: 0, entries: [] });
  });

  it("logs an unexpected error once, answers a generic message and keeps nothing", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const result = await as("admin@acme.test", () => probe("acme", { name: keyName("crash"), fail: "crash" }));
      expect(result).toEqual({ error: UNEXPECTED_ACTION_ERROR });
      expect(log).toHaveBeenCalledTimes(1);
      expect(String(log.mock.calls[0]![0])).toContain("probe");
    } finally {
      log.mockRestore();
    }
    expect(await stored(keyName("crash"))).toEqual({ keys: 0, entries: [] });
  });

  it("checks session and permission before it reads the input", async () => {
    // Someone without the permission learns nothing about which input would be accepted.
    expect(await as(null, () => probe("acme", { name: 1 } as never))).toEqual({
      error: "Your session has ended. Sign in again.",
    });
    expect((await as("manager@acme.test", () => probe("acme", { name: 1 } as never))).error).toMatch(/permission/);
    expect(await as("admin@acme.test", () => probe("acme\u0000", { name: keyName("nul"), fail: "no" }))).toEqual({
      error: "Organization not found.",
    });
  });

  it("checks input, session and permission before the action runs", async () => {
    expect(await as("admin@acme.test", () => probe("acme", { name: 1 } as never))).toEqual({
      error: "The request was not understood. Reload the page and try again.",
    });
    expect(await as(null, () => probe("acme", { name: keyName("anon"), fail: "no" }))).toEqual({
      error: "Your session has ended. Sign in again.",
    });
    expect((await as("manager@acme.test", () => probe("acme", { name: keyName("mgr"), fail: "no" }))).error).toMatch(
      /permission/,
    );
    expect(await as("admin@acme.test", () => probe("globex", { name: keyName("other"), fail: "no" }))).toEqual({
      error: "Organization not found.",
    });
    expect(await as("admin@acme.test", () => probe("x".repeat(101), { name: keyName("long"), fail: "no" }))).toEqual({
      error: "Organization not found.",
    });
    for (const suffix of ["anon", "mgr", "other", "long"]) expect((await stored(keyName(suffix))).keys).toBe(0);
  });
});
