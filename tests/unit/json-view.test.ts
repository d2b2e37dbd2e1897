import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collapseJson, outlineJson, rawJson } from "@/lib/audit-log/json-view";
import type { JsonValue } from "@/lib/audit-log/types";

const WIDE = { maxDepth: 100, maxEntries: 1_000_000 };

describe("the details view's JSON outline and raw text", () => {
  it("writes exactly JSON.stringify's text, and the indented text when nothing is cut", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const json = value as JsonValue;
        expect(rawJson(json, 1_000_000)).toEqual({ text: JSON.stringify(json), complete: true });
        expect(outlineJson(json, WIDE)).toBe(JSON.stringify(json, null, 2));
      }),
    );
  });

  it("cuts the raw text at the limit and says so", () => {
    expect(rawJson({ a: "x".repeat(100) }, 10)).toEqual({ text: '{"a":"xxxx', complete: false });
  });

  it("handles 100,000 levels without recursion", () => {
    let value: JsonValue = 1;
    for (let i = 0; i < 100_000; i++) value = [value];
    const view = collapseJson(value);
    expect(view?.reason).toBe("deep");
    expect(view?.raw.length).toBe(8 * 1024);
  });

  it("leaves a small value alone", () => {
    expect(collapseJson({ a: [1, 2, { b: null }] })).toBeNull();
  });
});
