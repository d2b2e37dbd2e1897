import { describe, expect, it } from "vitest";
import { newEntryId } from "@/lib/audit/entry-id";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millis = (id: string) => parseInt(id.replace(/-/g, "").slice(0, 12), 16);

describe("newEntryId", () => {
  it("is a version 7 UUID whose first 48 bits are the millisecond it was made", () => {
    const at = Date.UTC(2026, 10, 22, 8, 0, 0, 123);
    const id = newEntryId(at);
    expect(id).toMatch(UUID_V7);
    expect(millis(id)).toBe(at);
  });

  it("keeps increasing within one millisecond and across them", () => {
    const at = Date.UTC(2027, 0, 1);
    const ids = [...Array.from({ length: 1000 }, () => newEntryId(at)), newEntryId(at + 1), newEntryId(at + 5)];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it("borrows the next millisecond after 4,096 ids in one, and never goes back when the clock does", () => {
    const at = Date.UTC(2028, 0, 1);
    const ids = Array.from({ length: 5000 }, () => newEntryId(at));
    expect([...ids].sort()).toEqual(ids);
    expect(millis(ids[4095]!)).toBe(at);
    expect(millis(ids[4096]!)).toBe(at + 1);
    const afterClockStep = newEntryId(at - 60_000);
    expect(afterClockStep > ids[ids.length - 1]!).toBe(true);
    expect(afterClockStep).toMatch(UUID_V7);
  });
});

describe("newEntryId's random bits", () => {
  it("differ between ids, across refills of the random pool", () => {
    const at = Date.UTC(2029, 0, 1);
    // 2,000 ids span four refills of the 512-id pool; the 62 random bits of each must be new.
    const tails = Array.from({ length: 2000 }, () => newEntryId(at).slice(19));
    expect(new Set(tails).size).toBe(tails.length);
    for (const tail of tails) expect(tail).toMatch(/^[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
