import { describe, expect, it } from "vitest";
import { diffJson, flattenJson, jsonText } from "@/app/orgs/[org]/audit-logs/components/json-diff-model";

describe("before/after comparison", () => {
  it("flattens nested objects and arrays into readable paths", () => {
    const flat = flattenJson({ limits: { cpu: "1" }, tags: ["a", "b"], "odd key": 1, empty: {} });
    expect([...flat.entries()]).toEqual([
      ["limits.cpu", "1"],
      ["tags[0]", "a"],
      ["tags[1]", "b"],
      ['["odd key"]', 1],
      ["empty", {}],
    ]);
  });

  it("lists added, removed, changed and unchanged fields", () => {
    const lines = diffJson(
      { version: "1.4.2", replicas: 2, old: true },
      { version: "1.5.0", replicas: 2, added: "yes" },
    );
    expect(lines).toEqual([
      { path: "version", kind: "changed", before: "1.4.2", after: "1.5.0" },
      { path: "replicas", kind: "unchanged", before: 2, after: 2 },
      { path: "old", kind: "removed", before: true },
      { path: "added", kind: "added", after: "yes" },
    ]);
  });

  it("treats a missing side as all added or all removed", () => {
    expect(diffJson(null, { a: 1 })).toEqual([{ path: "a", kind: "added", after: 1 }]);
    expect(diffJson({ a: 1 }, null)).toEqual([{ path: "a", kind: "removed", before: 1 }]);
    expect(diffJson(null, null)).toEqual([]);
  });

  it("tells a changed type apart (string 1 vs number 1)", () => {
    expect(diffJson({ n: "1" }, { n: 1 })[0]?.kind).toBe("changed");
    expect(jsonText("1")).toBe('"1"');
    expect(jsonText(1)).toBe("1");
  });
});
