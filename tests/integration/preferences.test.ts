import { AsyncLocalStorage } from "node:async_hooks";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { userPreferences } from "@/db/schema";
import { seedDemoAccounts, type SeededDemoAccounts } from "@/db/seed/demo-accounts";
import { consoleServerHeaders } from "../helpers/console-server-headers";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * A reader's preferences against a real database: the time zone chosen in the user menu wins over
 * the one the browser reports, which wins over UTC; the explorer's columns, row height and chart are
 * kept per person. Bad input is refused with a message and changes nothing; someone outside the
 * organization gets the answer a missing one gets. Only the session and the request are replaced.
 */
const session = new AsyncLocalStorage<string | null>();
const SITE = consoleServerHeaders("console.test", "198.51.100.7");
let reportedZone: string | undefined;

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
  cookies: async () => ({
    get: (name: string) =>
      name === "audit_tz" && reportedZone !== undefined ? { name, value: reportedZone } : undefined,
  }),
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));
// React's request cache would keep the first answer for the whole test file.
vi.mock("react", async (original) => ({ ...(await original<typeof import("react")>()), cache: <F>(fn: F) => fn }));

const { saveExplorerLayout, saveTimeZone } = await import("@/lib/preferences/actions");
const { readerTimeZone } = await import("@/lib/preferences/reader-time-zone");
const { readPreferences } = await import("@/lib/preferences/queries");

let testDb: TestDatabase;
let seeded: SeededDemoAccounts;

function as<T>(email: string, fn: () => Promise<T>): Promise<T> {
  return session.run(seeded.users[email]!, fn);
}

async function stored(email: string) {
  const [row] = await testDb.handle.db
    .select()
    .from(userPreferences)
    .where(eq(userPreferences.userId, seeded.users[email]!));
  return row ?? null;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  seeded = await seedDemoAccounts(testDb.handle.db);
});

afterAll(async () => {
  await testDb?.drop();
});

describe("the reader's time zone", () => {
  it("is UTC until the browser reports one, then the browser's, and a chosen one wins over both", async () => {
    reportedZone = undefined;
    expect(await as("manager@acme.test", readerTimeZone)).toEqual({ zone: "UTC", source: "default" });

    reportedZone = "America/Los_Angeles";
    expect(await as("manager@acme.test", readerTimeZone)).toEqual({ zone: "America/Los_Angeles", source: "browser" });

    // A cookie is the client's to write: a value that is no zone is ignored.
    reportedZone = "<script>";
    expect(await as("manager@acme.test", readerTimeZone)).toEqual({ zone: "UTC", source: "default" });

    reportedZone = "America/Los_Angeles";
    const saved = await as("manager@acme.test", () => saveTimeZone("acme", { timeZone: "Asia/Tokyo" }));
    expect(saved).toEqual({ data: { timeZone: "Asia/Tokyo" } });
    expect(await as("manager@acme.test", readerTimeZone)).toEqual({ zone: "Asia/Tokyo", source: "setting" });
    // The person's, not the organization's: another member still reads in their browser's zone.
    expect(await as("admin@acme.test", readerTimeZone)).toEqual({ zone: "America/Los_Angeles", source: "browser" });

    const cleared = await as("manager@acme.test", () => saveTimeZone("acme", { timeZone: null }));
    expect(cleared).toEqual({ data: { timeZone: null } });
    expect(await as("manager@acme.test", readerTimeZone)).toEqual({ zone: "America/Los_Angeles", source: "browser" });
  });

  it("refuses a name that is no time zone, and changes nothing", async () => {
    await as("admin@acme.test", () => saveTimeZone("acme", { timeZone: "Europe/Paris" }));
    const answer = await as("admin@acme.test", () => saveTimeZone("acme", { timeZone: "Mars/Olympus_Mons" }));
    expect(answer).toEqual({ error: "Choose a time zone from the list." });
    expect((await stored("admin@acme.test"))?.timeZone).toBe("Europe/Paris");
  });

  it("answers someone outside the organization as it answers a missing organization", async () => {
    const foreign = await as("auditor@globex.test", () => saveTimeZone("acme", { timeZone: "Asia/Tokyo" }));
    const missing = await as("auditor@globex.test", () => saveTimeZone("no-such-org", { timeZone: "Asia/Tokyo" }));
    expect(foreign.data).toBeUndefined();
    expect(foreign).toEqual(missing);
    expect(await stored("auditor@globex.test")).toBeNull();
  });
});

describe("the explorer's columns, row height and histogram", () => {
  it("are the usual ones until chosen, then kept, with time and action always among them", async () => {
    expect(await readPreferences(seeded.users["manager@acme.test"]!)).toMatchObject({
      columns: ["time", "user", "type", "action", "target", "result"],
      density: "comfortable",
      chart: true,
    });
    const answer = await as("manager@acme.test", () =>
      saveExplorerLayout("acme", { columns: ["level", "service", "result"], density: "compact", chart: false }),
    );
    expect(answer).toEqual({
      data: { columns: ["time", "service", "action", "level", "result"], density: "compact", chart: false },
    });
    expect(await readPreferences(seeded.users["manager@acme.test"]!)).toMatchObject({
      columns: ["time", "service", "action", "level", "result"],
      density: "compact",
      chart: false,
    });
    await as("manager@acme.test", () =>
      saveExplorerLayout("acme", { columns: ["level"], density: "compact", chart: true }),
    );
    expect((await readPreferences(seeded.users["manager@acme.test"]!)).chart).toBe(true);
  });

  it("refuses a column or a height that does not exist, and changes nothing", async () => {
    const before = await stored("manager@acme.test");
    for (const input of [
      { columns: ["time", "password"], density: "compact", chart: true },
      { columns: ["time"], density: "tiny", chart: true },
      { columns: ["time"], density: "compact", chart: "no" },
      { columns: ["time"], density: "compact" },
    ]) {
      const answer = await as("manager@acme.test", () =>
        saveExplorerLayout("acme", input as Parameters<typeof saveExplorerLayout>[1]),
      );
      expect(answer).toEqual({ error: "Choose columns, a row height and the chart from the menu." });
    }
    expect(await stored("manager@acme.test")).toEqual(before);
  });

  it("needs audit.view in the organization", async () => {
    const answer = await as("member@acme.test", () =>
      saveExplorerLayout("acme", { columns: ["time", "action"], density: "compact", chart: false }),
    );
    expect(answer.data).toBeUndefined();
    expect(await stored("member@acme.test")).toBeNull();
  });
});
