import { describe, expect, it } from "vitest";
import { parseWholeSearch } from "@/lib/audit-log/selection";
import { BUILT_IN_VIEWS } from "@/lib/saved-views/built-in";

describe("the views every organization starts with", () => {
  it("are written as the explorer writes their searches, so their buttons show as active", () => {
    for (const view of BUILT_IN_VIEWS) {
      expect(parseWholeSearch(view.search, new Date()).canonical).toBe(view.search);
    }
  });

  it("keep the searches of the buttons they replace", () => {
    const [security, permissions] = BUILT_IN_VIEWS.map((v) => parseWholeSearch(v.search, new Date()).params);
    expect(security).toMatchObject({ type: ["auth"], result: ["failed"], q: "", period: "7d" });
    expect(permissions).toMatchObject({
      type: ["user"],
      result: [],
      q: "action:change_role action:grant_permission action:revoke_permission action:approve_access_request",
    });
  });
});
