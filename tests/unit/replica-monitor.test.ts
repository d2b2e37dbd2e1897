import { describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { parseLsn, ReplicaMonitor } from "@/db/replica-monitor";

/*
 * The monitor's judgement on scripted answers (tests/integration/read-replica.test.ts runs it
 * against a real replica): lag by WAL position, an idle primary, hysteresis, one line each way.
 */

type Answer = Record<string, unknown> | Error;

// A database that answers each statement with the next scripted row (an Error: a failed query).
function scripted(next: () => Answer): Database {
  return {
    execute: async () => {
      const answer = next();
      if (answer instanceof Error) throw answer;
      return [answer];
    },
  } as unknown as Database;
}

const lsn = (n: number) => `0/${n.toString(16).toUpperCase()}`;

function setup(maxLagMs = 1000) {
  const world = { primary: 100, replayed: 100, replica: null as Error | null, recovery: true };
  const lines = { fallBack: [] as string[], back: [] as string[] };
  const monitor = new ReplicaMonitor({
    primary: () => scripted(() => ({ lsn: lsn(world.primary) })),
    replica: scripted(() => world.replica ?? { recovery: world.recovery, lsn: lsn(world.replayed) }),
    maxLagMs,
    log: { fallBack: (l) => lines.fallBack.push(l), back: (l) => lines.back.push(l) },
  });
  return { world, lines, monitor };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the read replica's monitor", () => {
  it("reads WAL positions", () => {
    expect(parseLsn("0/0")).toBe(0n);
    expect(parseLsn("16/B374D848")).toBe((0x16n << 32n) + 0xb374d848n);
    expect(() => parseLsn("nonsense")).toThrow("not a WAL position");
  });

  it("calls a replica that has replayed an idle primary's position 0 ms behind, for as long as it stays idle", async () => {
    const { monitor, lines } = setup(50);
    for (let i = 0; i < 4; i++) {
      await monitor.check();
      await sleep(30);
    }
    expect(monitor.current()).toEqual({ state: "ok", lagMs: 0 });
    expect(lines).toEqual({ fallBack: [], back: [] });
  });

  it("dates the lag from the first check that saw the primary past the replica, with one line each way", async () => {
    const { monitor, lines, world } = setup(100);
    await monitor.check();
    expect(monitor.usable()).toBe(true);
    world.primary = 200; // written; the replica stays at 100
    await monitor.check();
    expect(monitor.usable()).toBe(true);
    await sleep(150);
    await monitor.check();
    expect(monitor.current().state).toBe("lagging");
    expect(monitor.current().lagMs).toBeGreaterThanOrEqual(150);
    expect(monitor.usable()).toBe(false);
    await sleep(20);
    await monitor.check();
    expect(lines.fallBack).toHaveLength(1);
    expect(lines.fallBack[0]).toMatch(/read replica [\d,]+ ms behind the primary \(bound 100 ms/);
    // Caught up: back after two good checks in a row, not one.
    world.replayed = 200;
    await monitor.check();
    expect(monitor.usable()).toBe(false);
    await monitor.check();
    expect(monitor.usable()).toBe(true);
    expect(lines.back).toEqual(["[audit-console] read replica back (0 ms behind); reading from it again"]);
  });

  it("leaves a replica that does not answer, or is not a standby, and says why without a stack", async () => {
    const { monitor, lines, world } = setup();
    await monitor.check();
    world.replica = Object.assign(new Error("Failed query: select …"), {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5433\n    at TCPConnectWrap"), {
        code: "ECONNREFUSED",
      }),
    });
    await monitor.check();
    await monitor.check();
    expect(monitor.current().state).toBe("down");
    expect(lines.fallBack).toEqual([
      "[audit-console] read replica unreachable (connect ECONNREFUSED 127.0.0.1:5433); reading from the primary until it answers",
    ]);
    world.replica = null;
    world.recovery = false;
    await monitor.check();
    expect(monitor.current().state).toBe("down");
    expect(lines.fallBack).toHaveLength(1);
  });

  it("reports a replica unreachable at once when a reader finds it so", async () => {
    const { monitor, lines } = setup();
    await monitor.check();
    monitor.reportUnreachable(Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" }));
    monitor.reportUnreachable(new Error("again"));
    expect(monitor.usable()).toBe(false);
    expect(lines.fallBack).toHaveLength(1);
  });
});
