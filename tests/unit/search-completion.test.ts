import { describe, expect, it } from "vitest";
import { applySuggestion, completionAt, localSuggestions } from "@/lib/audit-log/search-completion";

const at = (text: string, caret = text.length) => completionAt(text, caret);

describe("the word at the caret", () => {
  it("is a qualifier's name being typed, or the value after its colon (aliases and - too)", () => {
    expect(at("failed ty")).toEqual({ start: 7, end: 9, negated: false, key: null, partial: "ty" });
    expect(at("status:Fai")).toEqual({ start: 0, end: 10, negated: false, key: "result", partial: "fai" });
    expect(at('-actor:"Kim')).toEqual({ start: 0, end: 11, negated: true, key: "user", partial: "kim" });
    // The caret in the middle of the text: the word around it.
    expect(at("type:au deploy", 7)).toMatchObject({ key: "type", partial: "au", start: 0, end: 7 });
  });

  it("is nothing after a space, inside a quoted phrase, or for an unknown qualifier", () => {
    expect(at("deploy ")).toBeNull();
    expect(at('"sign in wi')).toBeNull();
    expect(at("colour:re")).toBeNull();
  });
});

describe("suggestions that need no server", () => {
  it("name the qualifiers that start with the word, with what they match", () => {
    const names = localSuggestions(at("re")!).map((s) => s.label);
    expect(names).toEqual(["resource:", "result:", "request_id:"]);
    expect(localSuggestions(at("-ty")!)[0]).toMatchObject({ insert: "-type:", complete: false });
  });

  it("rank a qualifier's own name before one reached through an alias, and say which alias", () => {
    const act = localSuggestions(at("act")!);
    expect(act.map((s) => s.label)).toEqual(["action:", "user:"]);
    expect(act[0]!.detail).not.toMatch(/is the same/);
    expect(act[1]).toMatchObject({ insert: "user:", detail: expect.stringMatching(/^actor: is the same\. Who acted/) });
    expect(localSuggestions(at("-mod")!)).toEqual([
      expect.objectContaining({
        label: "service:",
        insert: "-service:",
        detail: expect.stringMatching(/^module: is the same/),
      }),
    ]);
    expect(localSuggestions(at("actor")!)).toEqual([]);
  });

  it("list categories, results and levels by code or label", () => {
    expect(localSuggestions(at("type:v")!).map((s) => s.insert)).toEqual(["type:vpn"]);
    expect(localSuggestions(at("result:fai")!).map((s) => [s.insert, s.detail])).toEqual([
      ["result:failed", "Failure"],
    ]);
    expect(localSuggestions(at("level:")!).map((s) => s.insert)).toEqual(["level:notice", "level:information"]);
    expect(localSuggestions(at("user:ki")!)).toEqual([]);
  });
});

describe("taking a suggestion", () => {
  it("replaces the word at the caret and puts the caret after it (and a space after a whole token)", () => {
    const text = "deploy ty failed";
    const ctx = completionAt(text, 9)!;
    const [type] = localSuggestions(ctx);
    expect(applySuggestion(text, ctx, type!)).toEqual({ text: "deploy type: failed", caret: 12 });

    const whole = completionAt("deploy result:fa", 16)!;
    expect(applySuggestion("deploy result:fa", whole, localSuggestions(whole)[0]!)).toEqual({
      text: "deploy result:failed ",
      caret: 21,
    });
  });
});
