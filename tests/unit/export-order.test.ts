import { describe, expect, it } from "vitest";
import { parseWholeSearch } from "@/lib/audit-log/selection";
import { exportSessionSettings } from "@/lib/exports/columns";
import {} from "@/lib/exports/export-plan";
import { SORT_FREE_ABOVE_ROWS, walksIndexOrder } from "@/lib/exports/export-query";

const NOW = new Date("2026-11-22T10:00:00Z");
const selection = (search: string) => parseWholeSearch(search, NOW);

describe("walksIndexOrder", () => {
  it("walks the index for a small export that only its period restricts, in time order either way", () => {
    expect(walksIndexOrder(selection("period=7d"), 100)).toBe(true);
    expect(walksIndexOrder(selection("period=custom&from=2026-11-01&to=2026-11-02&dir=asc"), 25_000)).toBe(true);
  });

  it("leaves a small export with any other filter, or another order, to the planner", () => {
    for (const search of [
      "period=7d&type=auth",
      "period=7d&result=failed",
      "period=7d&user=u_1",
      "period=7d&q=deploy",
      "period=7d&q=action:delete",
      "period=7d&sort=user",
    ]) {
      expect([search, walksIndexOrder(selection(search), 25_000)]).toEqual([search, false]);
    }
  });

  it("always walks the index above the large-export threshold", () => {
    expect(walksIndexOrder(selection("period=7d&q=deploy&sort=user"), SORT_FREE_ABOVE_ROWS + 1)).toBe(true);
    expect(walksIndexOrder(selection("period=7d&q=deploy"), SORT_FREE_ABOVE_ROWS)).toBe(false);
  });

  it("turns sorting off in the export's transaction exactly when it walks", () => {
    const names = (walk: boolean) =>
      exportSessionSettings({ timeZone: "UTC" }, walk).map(([name, value]) => `${name}=${value}`);
    expect(names(true)).toContain("enable_sort=off");
    expect(names(false).some((s) => s.startsWith("enable_sort"))).toBe(false);
  });
});
