import { describe, expect, it } from "vitest";
import { effectivePermissions, ROLE_DEFAULT_GRANTS } from "@/lib/auth/permissions";

describe("effectivePermissions", () => {
  it("gives admins every permission whatever their grants", () => {
    expect([...effectivePermissions("admin", [])].sort()).toEqual(["audit.export", "audit.manage", "audit.view"]);
  });

  it("gives managers their grants, including manage when granted", () => {
    expect([...effectivePermissions("manager", ROLE_DEFAULT_GRANTS.manager)].sort()).toEqual([
      "audit.export",
      "audit.view",
    ]);
    expect(effectivePermissions("manager", ["audit.manage"]).has("audit.manage")).toBe(true);
  });

  it("never lets a member hold audit.manage, even with a stray grant", () => {
    const permissions = effectivePermissions("member", ["audit.view", "audit.manage"]);
    expect(permissions.has("audit.view")).toBe(true);
    expect(permissions.has("audit.manage")).toBe(false);
    expect(effectivePermissions("member", []).size).toBe(0);
  });
});
