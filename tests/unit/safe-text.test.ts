import { describe, expect, it } from "vitest";
import { checkJsonValue } from "@/lib/validation/json-limits";
import { isSafeText, safeText, showUnsafeText } from "@/lib/validation/safe-text";

describe("isSafeText", () => {
  it("refuses a NUL and unpaired surrogates, accepts everything else", () => {
    for (const bad of ["\u0000", "a\u0000b", "\ud800", "a\udbffb", "\udc00", "x\udfff", "😀\udc00", "\ud800😀"]) {
      expect(isSafeText(bad), JSON.stringify(bad)).toBe(false);
    }
    for (const good of ["", "plain", "tab\tline\nbreak", "\u0001\u007f", "漢字", "😀", "\ud83d\ude00x", "\ufffd"]) {
      expect(isSafeText(good), JSON.stringify(good)).toBe(true);
    }
  });

  it("writes offending characters as \\uXXXX and leaves pairs alone", () => {
    expect(showUnsafeText("a\u0000b\ud800😀")).toBe("a\\u0000b\\ud800😀");
  });

  it("as a zod string, composes with trim and max", () => {
    const schema = safeText("no").trim().max(3);
    expect(schema.safeParse(" ab ").data).toBe("ab");
    expect(schema.safeParse("a\u0000").error?.issues[0]?.message).toBe("no");
  });
});

describe("checkJsonValue", () => {
  const nest = (levels: number) => {
    let value: unknown = 1;
    for (let i = 0; i < levels; i++) value = i % 2 ? { a: value } : [value];
    return value;
  };

  it("walks 100,000 levels without overflowing the stack", () => {
    expect(checkJsonValue(nest(100_000))).toEqual({ path: [], message: "must not nest deeper than 32 levels" });
  });

  it("allows exactly the depth limit", () => {
    expect(checkJsonValue(nest(32))).toBeNull();
    expect(checkJsonValue(nest(33))).not.toBeNull();
    expect(checkJsonValue(nest(5), { maxDepth: 4 })).not.toBeNull();
  });

  it("names the path of a bad string or key", () => {
    expect(checkJsonValue({ a: [{ b: "x" }, { c: "\u0000" }] })?.path).toEqual(["a", 1, "c"]);
    expect(checkJsonValue({ a: { "k\ud800": 1 } })?.path).toEqual(["a", "k\\ud800"]);
  });

  it("counts the size in UTF-8 bytes", () => {
    expect(checkJsonValue({ t: "é".repeat(100) }, { maxBytes: 200 })).not.toBeNull();
    expect(checkJsonValue({ t: "e".repeat(100) }, { maxBytes: 200 })).toBeNull();
  });
});
