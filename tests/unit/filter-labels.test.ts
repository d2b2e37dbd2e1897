import { describe, expect, it } from "vitest";
import {
  entryCountText,
  exportCountNote,
  pagePositionText,
  recordCount,
} from "@/app/orgs/[org]/audit-logs/components/entry-count";
import {
  customBound,
  customRangeText,
  dateInputValue,
  timeInputValue,
} from "@/app/orgs/[org]/audit-logs/components/filter-labels";

describe("custom range bounds in the filter panel", () => {
  it("shows a wall-clock time in the time input, and nothing for a bare date or a time with an offset", () => {
    expect(timeInputValue("2026-11-05T14:05")).toBe("14:05");
    expect(timeInputValue("2026-11-05T14:05:00")).toBe("14:05");
    expect(timeInputValue("2026-11-05")).toBe("");
    expect(timeInputValue("2026-11-05T14:05:30")).toBe("");
    expect(timeInputValue("2026-11-05T14:05:00Z")).toBe("");
    expect(timeInputValue("2026-11-05T14:05+09:00")).toBe("");
    expect(timeInputValue(null)).toBe("");
    expect(dateInputValue("2026-11-05T14:05+09:00")).toBe("2026-11-05");
  });

  it("writes the day alone, or the day with its time of day", () => {
    expect(customBound("2026-11-05", "")).toBe("2026-11-05");
    expect(customBound("2026-11-05", "14:20")).toBe("2026-11-05T14:20");
    expect(customBound("", "14:20")).toBeNull();
  });

  it("says the range with a space between day and time", () => {
    expect(customRangeText("2026-11-05T14:05", "2026-11-05T14:20")).toBe("2026-11-05 14:05 – 2026-11-05 14:20");
    expect(customRangeText("2026-11-05", null)).toBe("from 2026-11-05");
    expect(customRangeText(null, "2026-11-06T09:00")).toBe("until 2026-11-06 09:00");
    expect(customRangeText(null, null)).toBe("any time");
  });
});

describe("the page's place in the listing", () => {
  it("says the rows of the page and the count, or the count alone when the place is unknown", () => {
    expect(pagePositionText(801, 50, { exact: true, count: 2874 })).toBe("801–850 of 2,874 entries");
    expect(pagePositionText(1, 50, { exact: false, atLeast: 10_000 })).toBe("1–50 of more than 10,000 entries");
    expect(pagePositionText(1, 1, { exact: true, count: 1 })).toBe("1 of 1 entry");
    expect(pagePositionText(null, 50, { exact: true, count: 2874 })).toBe("2,874 entries");
    expect(pagePositionText(1, 0, { exact: true, count: 0 })).toBe("0 entries");
    // A count read just before new entries came in: the place would overshoot it, so it is left out.
    expect(pagePositionText(2851, 50, { exact: true, count: 2874 })).toBe("2,874 entries");
    expect(entryCountText({ exact: false, atLeast: 10_000 })).toBe("more than 10,000 entries");
  });
});

describe("the export's count", () => {
  it("says record for one and records for any other number", () => {
    expect(recordCount(1)).toBe("1 record");
    expect(recordCount(0)).toBe("0 records");
    expect(recordCount(16_068)).toBe("16,068 records");
    expect(entryCountText({ exact: true, count: 1 })).toBe("1 entry");
  });

  it("says the export counts exactly where the list's count was capped", () => {
    expect(exportCountNote(16_068, 1_000_000)).toBe(
      "The list stops counting at more than 10,000; this count is exact.",
    );
    expect(exportCountNote(10_000, 1_000_000)).toBeNull();
    // Above the export's own limit the modal says "more than" itself.
    expect(exportCountNote(1_000_001, 1_000_000)).toBeNull();
  });
});
