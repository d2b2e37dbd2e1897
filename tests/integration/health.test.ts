import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET } from "@/app/api/health/route";
import { createDatabase, setDatabaseHandle } from "@/db/client";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb.drop();
});

describe("GET /api/health", () => {
  it("answers 200 with the primary's state when the database answers", async () => {
    const response = await GET();
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { status: string; database: { primary: string; latencyMs: number } };
    expect(body.status).toBe("ok");
    expect(body.database.primary).toBe("ok");
    expect(body.database.latencyMs).toBeGreaterThanOrEqual(0);
    // No DATABASE_READ_URL here; tests/integration/read-replica.test.ts has the other states.
    expect(body.database).toMatchObject({ replica: "off", replicaLagMs: null });
  });

  it("answers 503 without the reason when the primary does not answer, and logs the reason", async () => {
    // A server that is down: nothing listens on port 1.
    const down = createDatabase({ url: "postgres://postgres@127.0.0.1:1/audit", maxConnections: 1 });
    setDatabaseHandle(down);
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const response = await GET();
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ status: "unavailable", database: { primary: "unreachable" } });
      expect(text).not.toContain("127.0.0.1");
      expect(logged).toHaveBeenCalledTimes(1);
      expect(String(logged.mock.calls[0]?.[0])).toContain("health check: the primary database did not answer");
    } finally {
      logged.mockRestore();
      setDatabaseHandle(testDb.handle);
      await down.close();
    }
  });
});
