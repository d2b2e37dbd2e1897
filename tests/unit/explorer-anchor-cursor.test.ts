import { describe, expect, it } from "vitest";
import { anchorCursorFromPrev } from "@/lib/audit-log/anchor-cursor";
import { decodeCursor, encodeCursor } from "@/lib/audit-log/cursor";

const edge = { s: "time", k: null, t: "2026-11-20T09:15:00.000Z", i: "0000000a-0000-4000-8000-0000000000ff" } as const;

describe("anchor cursor for a deep-link window", () => {
  it("reads forwards from just above the first row of a descending list", () => {
    const prev = encodeCursor({ ...edge, o: "desc", d: "prev" });
    const anchor = decodeCursor(anchorCursorFromPrev(prev)!);
    expect(anchor).toEqual({ ...edge, o: "desc", d: "next", i: "0000000a-0000-4000-8000-000000000100" });
  });

  it("reads forwards from just below the first row of an ascending list", () => {
    const prev = encodeCursor({ ...edge, s: "user", k: "kim@acme.test", o: "asc", d: "prev" });
    const anchor = decodeCursor(anchorCursorFromPrev(prev)!);
    expect(anchor).toEqual({
      ...edge,
      s: "user",
      k: "kim@acme.test",
      o: "asc",
      d: "next",
      i: "0000000a-0000-4000-8000-0000000000fe",
    });
  });

  it("needs no anchor for the first page, and refuses what is not a cursor", () => {
    expect(anchorCursorFromPrev(null)).toBeNull();
    expect(anchorCursorFromPrev("not a cursor")).toBeNull();
  });

  it("gives up at the edge of the uuid space rather than wrap around", () => {
    const prev = encodeCursor({ ...edge, i: "ffffffff-ffff-ffff-ffff-ffffffffffff", o: "desc", d: "prev" });
    expect(anchorCursorFromPrev(prev)).toBeNull();
  });
});
