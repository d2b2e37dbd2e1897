import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "@/lib/auth/safe-callback";

const base = "http://console.test";

describe("safeCallbackPath", () => {
  it.each([
    ["/orgs/acme/audit-logs?type=auth", "/orgs/acme/audit-logs?type=auth"],
    ["http://console.test/orgs/acme/audit-logs", "/orgs/acme/audit-logs"],
    ["https://evil.example/steal", "/"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["\\\\evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["http://console.test.evil.example/", "/"],
    ["", "/"],
    [null, "/"],
  ])("%s -> %s", (input, expected) => {
    expect(safeCallbackPath(input, base)).toBe(expected);
  });

  it("never leaves the site, whatever it is given", () => {
    fc.assert(
      fc.property(fc.string(), (input) => {
        const out = safeCallbackPath(input, base);
        expect(out.startsWith("/")).toBe(true);
        expect(new URL(out, base).origin).toBe(base);
        expect(out.startsWith("//")).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
