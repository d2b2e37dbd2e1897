import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearAccountFailures, lockedUntil, recordFailure, THROTTLE_WINDOW_MS } from "@/lib/auth/throttle";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

describe("sign-in throttling", () => {
  const t0 = new Date("2026-11-20T10:00:00Z");
  const at = (ms: number) => new Date(t0.getTime() + ms);

  it("locks an account after five failures within the window, from any address", async () => {
    const db = testDb.handle.db;
    for (let i = 0; i < 4; i++) await recordFailure(db, { account: "kim@acme.test", ip: `10.0.0.${i}` }, at(i * 1000));
    expect(await lockedUntil(db, { account: "kim@acme.test", ip: "10.9.9.9" }, at(5000))).toBeNull();
    await recordFailure(db, { account: "KIM@acme.test", ip: "10.0.0.9" }, at(6000));
    const until = await lockedUntil(db, { account: "kim@acme.test", ip: "10.9.9.9" }, at(7000));
    expect(until).not.toBeNull();
    expect(until!.getTime()).toBeGreaterThan(at(7000).getTime());
    // The lock ends by itself.
    expect(
      await lockedUntil(db, { account: "kim@acme.test", ip: "10.9.9.9" }, new Date(until!.getTime() + 1)),
    ).toBeNull();
  });

  it("starts counting again once the window has passed", async () => {
    const db = testDb.handle.db;
    for (let i = 0; i < 4; i++) await recordFailure(db, { account: "lee@acme.test", ip: "10.1.0.1" }, at(i));
    await recordFailure(db, { account: "lee@acme.test", ip: "10.1.0.1" }, at(THROTTLE_WINDOW_MS + 10));
    expect(await lockedUntil(db, { account: "lee@acme.test", ip: "10.1.0.2" }, at(THROTTLE_WINDOW_MS + 20))).toBeNull();
  });

  it("locks an address that fails against many accounts, and treats unknown accounts alike", async () => {
    const db = testDb.handle.db;
    for (let i = 0; i < 20; i++) await recordFailure(db, { account: `ghost${i}@acme.test`, ip: "198.51.100.4" }, at(i));
    expect(await lockedUntil(db, { account: "someone-new@acme.test", ip: "198.51.100.4" }, at(100))).not.toBeNull();
    expect(await lockedUntil(db, { account: "someone-new@acme.test", ip: "198.51.100.5" }, at(100))).toBeNull();
  });

  it("clears an account's failures after a successful sign-in", async () => {
    const db = testDb.handle.db;
    for (let i = 0; i < 4; i++) await recordFailure(db, { account: "max@acme.test", ip: "10.2.0.1" }, at(i));
    await clearAccountFailures(db, "max@acme.test");
    await recordFailure(db, { account: "max@acme.test", ip: "10.2.0.1" }, at(10));
    expect(await lockedUntil(db, { account: "max@acme.test", ip: "10.2.0.2" }, at(20))).toBeNull();
  });
});
