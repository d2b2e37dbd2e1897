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
    // Dot segments collapse when the browser resolves the path: each of these becomes //evil.example.
    ["/..//evil.example", "/"],
    ["/.//evil.example", "/"],
    ["/a/..//evil.example", "/"],
    ["/%2e%2e//evil.example/phish", "/"],
    ["/%2E%2E/%2E%2E//evil.example", "/"],
    ["/./\\evil.example", "/"],
    ["/\t/evil.example", "/"],
    // Kept, in the form the browser would ask for.
    ["/orgs/acme/../acme/audit-logs", "/orgs/acme/audit-logs"],
    ["/orgs/acme/audit-logs?q=a//b#x", "/orgs/acme/audit-logs?q=a//b#x"],
  ])("%s -> %s", (input, expected) => {
    expect(safeCallbackPath(input, base)).toBe(expected);
  });

  it.each([
    // A permalink lands on the explorer's own URL with the entry selected.
    [
      "/orgs/acme/audit-logs/01A23D3C-E9B8-7000-8F19-24953224788D",
      "/orgs/acme/audit-logs?entry=01a23d3c-e9b8-7000-8f19-24953224788d",
    ],
    [
      "http://console.test/orgs/acme/audit-logs/01a23d3c-e9b8-7000-8f19-24953224788d/",
      "/orgs/acme/audit-logs?entry=01a23d3c-e9b8-7000-8f19-24953224788d",
    ],
    // Other pages under the explorer, and anything that is not an entry id, stay as they are.
    ["/orgs/acme/audit-logs/insights", "/orgs/acme/audit-logs/insights"],
    ["/orgs/acme/audit-logs/not-an-id", "/orgs/acme/audit-logs/not-an-id"],
    [
      "/orgs/acme/audit-logs/01a23d3c-e9b8-7000-8f19-24953224788d?size=25",
      "/orgs/acme/audit-logs/01a23d3c-e9b8-7000-8f19-24953224788d?size=25",
    ],
  ])("permalink %s -> %s", (input, expected) => {
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

  it("never answers a path a browser reads as another host, for paths built from dots and slashes", () => {
    const piece = fc.constantFrom("/", "//", "\\", ".", "..", "%2e", "%2E%2e", "evil.example", "a", "\t");
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }), (parts) => {
        const out = safeCallbackPath(`/${parts.join("")}`, base);
        expect(out).toMatch(/^\/(?![/\\])/);
        // Where the browser goes when it follows the answer as a Location header.
        expect(new URL(out, base).origin).toBe(base);
      }),
      { numRuns: 3000 },
    );
  });
});
