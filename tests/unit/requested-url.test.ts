import { describe, expect, it } from "vitest";
import { requestedOrgPath } from "@/lib/auth/requested-url";

describe("requestedOrgPath", () => {
  it("keeps a page of the organization, its query included", () => {
    expect(requestedOrgPath("/orgs/acme/audit-logs?entry=0190&type=auth", "acme")).toBe(
      "/orgs/acme/audit-logs?entry=0190&type=auth",
    );
    expect(requestedOrgPath("/orgs/acme", "acme")).toBe("/orgs/acme");
    expect(requestedOrgPath("/orgs/acme?x=1", "acme")).toBe("/orgs/acme?x=1");
  });

  it("ignores another organization's pages, other paths, and nothing at all", () => {
    expect(requestedOrgPath("/orgs/globex/audit-logs", "acme")).toBeNull();
    expect(requestedOrgPath("/orgs/acme-evil/audit-logs", "acme")).toBeNull();
    expect(requestedOrgPath("/login", "acme")).toBeNull();
    expect(requestedOrgPath("https://evil.example/orgs/acme", "acme")).toBeNull();
    expect(requestedOrgPath("//evil.example/orgs/acme/", "acme")).toBeNull();
    expect(requestedOrgPath("/orgs/acme/\\evil.example", "acme")).toBeNull();
    expect(requestedOrgPath(null, "acme")).toBeNull();
  });
});
