import { describe, expect, it } from "vitest";
import { findBursts } from "@/lib/audit-log/bursts";
import {
  bucketPlan,
  bucketSizeFor,
  fillBuckets,
  packBuckets,
  periodOverrides,
  unpackBuckets,
} from "@/lib/audit-log/insight-buckets";
import { qualifierExcluded, qualifierOnly } from "@/lib/audit-log/search-edits";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe("histogram buckets", () => {
  it("packs the buckets for the chart and unpacks them to the same buckets", () => {
    const now = Date.parse("2026-12-03T10:20:00Z");
    const plan = bucketPlan({ from: new Date(now - 7 * DAY).toISOString(), to: null }, "Europe/Berlin", now);
    const rows = [
      { startMs: plan.fromMs, result: "done" as const, n: 3 },
      { startMs: plan.fromMs + 5 * HOUR, result: "failed" as const, n: 2 },
      { startMs: plan.fromMs + 5 * HOUR, result: "processing" as const, n: 7 },
      { startMs: plan.toMs - HOUR, result: "pending" as const, n: 1 },
    ];
    const buckets = fillBuckets(plan, rows);
    const packed = packBuckets(buckets, plan.sizeMs);
    expect(packed.starts).toBeUndefined();
    expect(packed.counts).toHaveLength(buckets.length * 4);
    expect(unpackBuckets(packed)).toEqual(buckets);

    // A bucket off the grid (fillBuckets keeps one it did not foresee) keeps its own start.
    const off = fillBuckets(plan, [...rows, { startMs: plan.toMs + 90 * MIN, result: "done" as const, n: 4 }]);
    const offPacked = packBuckets(off, plan.sizeMs);
    expect(offPacked.starts).toHaveLength(off.length);
    expect(unpackBuckets(offPacked)).toEqual(off);
    expect(unpackBuckets(packBuckets([], HOUR))).toEqual([]);
  });

  it("fits the bucket size to the period", () => {
    expect(bucketSizeFor(DAY)).toBe(15 * MIN);
    expect(bucketSizeFor(7 * DAY)).toBe(HOUR);
    expect(bucketSizeFor(30 * DAY)).toBe(6 * HOUR);
    expect(bucketSizeFor(365 * DAY)).toBe(7 * DAY);
  });

  it("aligns buckets to midnight in the reader's zone and covers the period", () => {
    const now = Date.parse("2026-12-03T10:20:00Z");
    const plan = bucketPlan({ from: new Date(now - 7 * DAY).toISOString(), to: null }, "Asia/Tokyo", now);
    expect(plan.sizeMs).toBe(HOUR);
    expect(new Date(plan.originMs).toISOString()).toBe("2026-11-25T15:00:00.000Z");
    expect(plan.fromMs).toBeLessThanOrEqual(now - 7 * DAY);
    expect(plan.toMs).toBeGreaterThan(now);
  });

  it("a selected range becomes a custom period whose `to` is its last millisecond", () => {
    expect(periodOverrides(Date.parse("2026-12-01T10:00:00Z"), Date.parse("2026-12-01T13:00:00Z"))).toMatchObject({
      period: "custom",
      from: "2026-12-01T10:00:00.000Z",
      to: "2026-12-01T12:59:59.999Z",
    });
  });
});

describe("bursts", () => {
  it("needs 5 failures within 10 minutes and joins overlapping windows", () => {
    const t0 = 1_000_000;
    expect(findBursts([0, 1, 2, 3].map((m) => t0 + m * MIN))).toEqual([]);
    expect(findBursts([0, 3, 6, 9, 11].map((m) => t0 + m * MIN))).toEqual([]);
    expect(findBursts([0, 3, 6, 9, 10].map((m) => t0 + m * MIN))).toEqual([
      { fromMs: t0, toMs: t0 + 10 * MIN, count: 5 },
    ]);
    // One long attack, then a separate one an hour later.
    const times = [
      ...[0, 2, 4, 6, 8, 10, 12, 14].map((m) => t0 + m * MIN),
      ...[70, 71, 72, 73, 74].map((m) => t0 + m * MIN),
    ];
    expect(findBursts(times)).toEqual([
      { fromMs: t0, toMs: t0 + 14 * MIN, count: 8 },
      { fromMs: t0 + 70 * MIN, toMs: t0 + 74 * MIN, count: 5 },
    ]);
  });
});

describe("search edits", () => {
  it("narrows to one value, replacing the qualifier's other values and keeping the rest", () => {
    expect(qualifierOnly("deploy action:export* -type:auth", "action", "Export users", "UTC")).toBe(
      'deploy -type:auth action:"export users"',
    );
    expect(qualifierOnly("", "ip", "2001:db8::1", "UTC")).toBe("ip:2001:db8::1");
  });

  it("excludes with a negated qualifier, adding to one that exists", () => {
    // A facet counted one action, so its links name that action whole (quoted), not its leading words.
    expect(qualifierOnly("action:login", "action", "restore", "UTC")).toBe('action:"restore"');
    expect(qualifierExcluded("-action:login", "action", "logout", "UTC")).toBe('-action:login -action:"logout"');
    expect(qualifierExcluded("", "level", "notice", "UTC")).toBe("-level:notice");
    expect(qualifierExcluded("", "type", "not-a-category", "UTC")).toBeNull();
  });
});
