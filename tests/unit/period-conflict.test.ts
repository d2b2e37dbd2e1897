import { describe, expect, it } from "vitest";
import { isAnyTime, periodConflict } from "@/lib/audit-log/period-conflict";
import { parseSearchQuery } from "@/lib/audit-log/search-language";
import { parseExplorerParams } from "@/lib/audit-log/search-params";

const NOW = new Date("2026-12-05T12:00:00Z");

function conflict(query: Record<string, string>) {
  const { params } = parseExplorerParams(query, NOW);
  return periodConflict(params.range, parseSearchQuery(params.q, { timeZone: params.tz }), NOW);
}

describe("a created: range against the period", () => {
  it("is outside the default 7 days when it lies before them", () => {
    expect(conflict({ q: "created:2026-11-01..2026-11-05" })).toBe("outside");
    expect(conflict({ q: "created:<2026-11-20" })).toBe("outside");
  });

  it("is partly outside when it starts before the period and reaches into it", () => {
    expect(conflict({ q: "created:2026-11-25..2026-12-03" })).toBe("partly");
    expect(conflict({ q: "created:<2026-12-04" })).toBe("partly");
  });

  it("is fine inside the period, or when it only reaches past now", () => {
    expect(conflict({ q: "created:2026-12-01..2026-12-03" })).toBeNull();
    expect(conflict({ q: "created:>2026-12-01" })).toBeNull();
    expect(conflict({ period: "today", q: "created:>2026-12-05" })).toBeNull();
  });

  it("is fine with no period limit, and when no created: is given or it is negated", () => {
    expect(conflict({ period: "custom", q: "created:2026-01-01..2026-01-05" })).toBeNull();
    expect(conflict({ q: "login" })).toBeNull();
    expect(conflict({ q: "-created:2026-11-01..2026-11-05" })).toBeNull();
  });

  it("reads a repeated created: as either range: outside only when none meets the period", () => {
    expect(conflict({ q: "created:2026-11-01..2026-11-02 created:2026-12-02..2026-12-03" })).toBe("partly");
    expect(conflict({ q: "created:2026-11-01..2026-11-02 created:2026-11-10" })).toBe("outside");
  });

  it("compares against a custom period's bounds", () => {
    const custom = { period: "custom", from: "2026-11-01", to: "2026-11-30" };
    expect(conflict({ ...custom, q: "created:2026-11-03" })).toBeNull();
    expect(conflict({ ...custom, q: "created:2026-10-20..2026-11-02" })).toBe("partly");
    expect(conflict({ ...custom, q: "created:>2026-12-01" })).toBe("outside");
  });

  it("knows the period lifted", () => {
    expect(isAnyTime(parseExplorerParams({ period: "custom" }, NOW).params)).toBe(true);
    expect(isAnyTime(parseExplorerParams({}, NOW).params)).toBe(false);
    expect(isAnyTime(parseExplorerParams({ period: "custom", from: "2026-11-01" }, NOW).params)).toBe(false);
  });
});
