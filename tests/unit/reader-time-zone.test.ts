import { describe, expect, it } from "vitest";
import { explorerHref, parseExplorerParams } from "@/lib/audit-log/search-params";

// 2026-03-08 is the day Los Angeles moves its clocks forward; 10:00 UTC is 03:00 PDT there.
const NOW = new Date("2026-03-08T10:00:00.000Z");
const LA = "America/Los_Angeles";
const PATH = "/orgs/acme/audit-logs";

describe("the reader's time zone as the explorer's default zone", () => {
  it("applies where the link names no zone: today is the reader's day", () => {
    const { params, problems } = parseExplorerParams({ period: "today" }, NOW, LA);
    expect(problems).toEqual([]);
    expect(params.tz).toBe(LA);
    expect(params.readerTz).toBe(LA);
    // Midnight PST (08:00 UTC) to the next midnight PDT (07:00 UTC): a 23-hour day.
    expect(params.range).toEqual({ from: "2026-03-08T08:00:00.000Z", to: "2026-03-09T07:00:00.000Z" });
  });

  it("gives way to a zone the link names, and a custom day is read in it", () => {
    const { params } = parseExplorerParams({ from: "2026-03-08", to: "2026-03-08", tz: "Asia/Tokyo" }, NOW, LA);
    expect(params.tz).toBe("Asia/Tokyo");
    expect(params.range).toEqual({ from: "2026-03-07T15:00:00.000Z", to: "2026-03-08T15:00:00.000Z" });
  });

  it("falls back to UTC for a reader zone that is not one", () => {
    const { params } = parseExplorerParams({}, NOW, "Mars/Olympus_Mons");
    expect(params.tz).toBe("UTC");
  });

  it("is left out of links that bound no days, and written into those that do", () => {
    const { params } = parseExplorerParams({ type: "auth" }, NOW, LA);
    expect(explorerHref(PATH, params)).toBe(`${PATH}?type=auth`);
    expect(explorerHref(PATH, params, { period: "today" })).toBe(
      `${PATH}?period=today&tz=America/Los_Angeles&type=auth`,
    );
    expect(explorerHref(PATH, params, { period: "custom", from: "2026-03-01", to: "2026-03-02" })).toContain(
      "tz=America/Los_Angeles",
    );
    expect(explorerHref(PATH, params, { q: "created:2026-03-01" })).toContain("tz=America/Los_Angeles");
  });

  it("keeps a link's own zone when it differs from the reader's", () => {
    const { params } = parseExplorerParams({ tz: "Asia/Tokyo" }, NOW, LA);
    expect(explorerHref(PATH, params, { type: ["auth"] })).toBe(`${PATH}?tz=Asia/Tokyo&type=auth`);
  });
});
