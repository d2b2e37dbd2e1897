import { isIP } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { auditCategory, auditLevel, auditResult } from "../../db/schema/enums";
import {
  MAX_SEARCH_ITEMS,
  MAX_SEARCH_LENGTH,
  SEARCH_QUALIFIERS,
  formatSearchQuery,
  parseSearchQuery,
  tokenizeSearchQuery,
  type CreatedRange,
  type IpValue,
  type SearchFilter,
  type SearchQuery,
} from "@/lib/audit-log/search-language";
import { pivotLinks } from "@/lib/audit-log/pivots";
import { qualifierValues, withQualifierValues } from "@/lib/audit-log/search-edits";

const CATEGORIES: readonly string[] = auditCategory.enumValues;
const RESULTS: readonly string[] = auditResult.enumValues;
const LEVELS: readonly string[] = auditLevel.enumValues;

const parse = parseSearchQuery;
const d = (iso: string) => new Date(iso);

function only(q: string): SearchFilter {
  const r = parse(q);
  expect(r.errors).toEqual([]);
  expect(r.filters).toHaveLength(1);
  return r.filters[0]!;
}

function ip(value: string): IpValue {
  const f = only(`ip:${value}`);
  if (f.key !== "ip") throw new Error("expected an ip filter");
  expect(f.values).toHaveLength(1);
  return f.values[0]!;
}

function created(value: string): CreatedRange {
  const f = only(`created:${value}`);
  if (f.key !== "created") throw new Error("expected a created filter");
  expect(f.values).toHaveLength(1);
  return f.values[0]!;
}

function errorsOf(q: string): string[] {
  return parse(q).errors.map((e) => e.token);
}

function applied(q: SearchQuery): Omit<SearchQuery, "errors"> {
  return { terms: q.terms, filters: q.filters };
}

describe("free terms", () => {
  it("lower-cases words and keeps their order", () => {
    expect(parse("Foo BAR baz").terms).toEqual([
      { text: "foo", phrase: false, negated: false, length: 3 },
      { text: "bar", phrase: false, negated: false, length: 3 },
      { text: "baz", phrase: false, negated: false, length: 3 },
    ]);
  });

  it("returns nothing for empty and blank input", () => {
    expect(parse("")).toEqual({ terms: [], filters: [], errors: [] });
    expect(parse("  \t\n ")).toEqual({ terms: [], filters: [], errors: [] });
  });

  it("reads a quoted phrase as one term, trimmed", () => {
    expect(parse('"Bad  Gateway " x').terms).toEqual([
      { text: "bad  gateway", phrase: true, negated: false, length: 12 },
      { text: "x", phrase: false, negated: false, length: 1 },
    ]);
  });

  it("negates words and phrases with a leading dash", () => {
    expect(parse('-foo -"bar baz"').terms).toEqual([
      { text: "foo", phrase: false, negated: true, length: 3 },
      { text: "bar baz", phrase: true, negated: true, length: 7 },
    ]);
  });

  it("takes the rest of the input as the phrase when the quote is not closed", () => {
    expect(parse('a "open phrase type:auth')).toEqual({
      terms: [
        { text: "a", phrase: false, negated: false, length: 1 },
        { text: "open phrase type:auth", phrase: true, negated: false, length: 21 },
      ],
      filters: [],
      errors: [],
    });
  });

  it("ignores empty phrases and a dash standing alone", () => {
    expect(parse('"" -"" " " - foo -')).toEqual({
      terms: [{ text: "foo", phrase: false, negated: false, length: 3 }],
      filters: [],
      errors: [],
    });
  });

  it("treats quotes inside a word as ordinary characters", () => {
    expect(parse(`it's 5"x`).terms.map((t) => t.text)).toEqual(["it's", '5"x']);
  });

  it("splits a closing quote from what follows", () => {
    expect(parse('"a b"c').terms).toEqual([
      { text: "a b", phrase: true, negated: false, length: 3 },
      { text: "c", phrase: false, negated: false, length: 1 },
    ]);
  });

  it("reads a double dash as a negated word starting with a dash", () => {
    expect(parse("--force").terms).toEqual([{ text: "-force", phrase: false, negated: true, length: 6 }]);
  });

  it("marks short terms by their length in code points", () => {
    expect(parse("a ab abc 😀 é").terms.map((t) => [t.text, t.length])).toEqual([
      ["a", 1],
      ["ab", 2],
      ["abc", 3],
      ["😀", 1],
      ["é", 1],
    ]);
  });

  it("drops repeated terms", () => {
    expect(parse("foo FOO foo -foo").terms).toEqual([
      { text: "foo", phrase: false, negated: false, length: 3 },
      { text: "foo", phrase: false, negated: true, length: 3 },
    ]);
  });

  it("reads URLs, times and other colons that are not qualifiers as free words", () => {
    const r = parse("https://example.com/a?b=c HTTP://X 12:30 a.b:c 10.0.0.1:443 -mailto//x");
    expect(r.errors).toEqual([]);
    expect(r.terms.map((t) => t.text)).toEqual([
      "https://example.com/a?b=c",
      "http://x",
      "12:30",
      "a.b:c",
      "10.0.0.1:443",
      "mailto//x",
    ]);
  });

  it("splits on any whitespace, including non-breaking and ideographic spaces", () => {
    expect(parse("a\u00a0b\u3000c\nd").terms.map((t) => t.text)).toEqual(["a", "b", "c", "d"]);
  });
});

describe("qualifiers", () => {
  it.each([
    ["user:alice@acme.test", "user", "alice@acme.test"],
    ["actor:Alice", "user", "alice"],
    ["action:delete", "action", "delete"],
    ["resource:my-service", "resource", "my-service"],
    ["target:my-service", "resource", "my-service"],
    ["request_id:REQ-123", "request_id", "req-123"],
    ["service:billing", "service", "billing"],
    ["module:billing", "service", "billing"],
  ] as const)("%s filters %s", (q, key, value) => {
    expect(only(q)).toEqual({ key, negated: false, values: [value] });
  });

  it.each(CATEGORIES)("type:%s is a category", (category) => {
    expect(only(`type:${category}`)).toEqual({ key: "type", negated: false, values: [category] });
  });

  it("accepts category: and db-backup for db_backup", () => {
    expect(only("category:db-backup")).toEqual({ key: "type", negated: false, values: ["db_backup"] });
  });

  it.each([
    ["done", "done"],
    ["failed", "failed"],
    ["pending", "pending"],
    ["processing", "processing"],
    ["success", "done"],
    ["failure", "failed"],
    ["SUCCESS", "done"],
  ])("result:%s is %s", (value, result) => {
    expect(only(`result:${value}`)).toEqual({ key: "result", negated: false, values: [result] });
  });

  it("accepts status: for result:", () => {
    expect(only("status:failed")).toEqual({ key: "result", negated: false, values: ["failed"] });
  });

  it.each([
    ["notice", "notice"],
    ["information", "information"],
    ["info", "information"],
  ])("level:%s is %s", (value, level) => {
    expect(only(`level:${value}`)).toEqual({ key: "level", negated: false, values: [level] });
  });

  it("compares keys case-insensitively and lower-cases values", () => {
    expect(parse("USER:Alice Type:AUTH Result:Done").filters).toEqual([
      { key: "user", negated: false, values: ["alice"] },
      { key: "type", negated: false, values: ["auth"] },
      { key: "result", negated: false, values: ["done"] },
    ]);
  });

  it("reads quoted values, trimmed, including an unterminated one", () => {
    expect(only('resource:"My Service"')).toEqual({ key: "resource", negated: false, values: ["my service"] });
    expect(only('user:" Alice B "')).toEqual({ key: "user", negated: false, values: ["alice b"] });
    expect(only('-target:"still typing')).toEqual({ key: "resource", negated: true, values: ["still typing"] });
    expect(only('type:"vpn"')).toEqual({ key: "type", negated: false, values: ["vpn"] });
  });

  it("keeps colons and quotes inside a bare value", () => {
    expect(only('resource:a:b"c')).toEqual({ key: "resource", negated: false, values: ['a:b"c'] });
  });

  it("negates a qualifier with a leading dash", () => {
    expect(parse("-type:auth").filters).toEqual([{ key: "type", negated: true, values: ["auth"] }]);
  });

  it("ORs repeated qualifiers and groups by key and sign in order of first appearance", () => {
    expect(parse("type:auth result:failed type:vpn -type:user -type:db_backup type:auth").filters).toEqual([
      { key: "type", negated: false, values: ["auth", "vpn"] },
      { key: "result", negated: false, values: ["failed"] },
      { key: "type", negated: true, values: ["user", "db_backup"] },
    ]);
  });

  it("groups an alias with its key", () => {
    expect(parse("target:a resource:b target:a").filters).toEqual([
      { key: "resource", negated: false, values: ["a", "b"] },
    ]);
  });

  it("combines words, phrases and qualifiers", () => {
    expect(parse('action:delete resource:my-service "rate limit" -timeout')).toEqual({
      terms: [
        { text: "rate limit", phrase: true, negated: false, length: 10 },
        { text: "timeout", phrase: false, negated: true, length: 7 },
      ],
      filters: [
        { key: "action", negated: false, values: ["delete"] },
        { key: "resource", negated: false, values: ["my-service"] },
      ],
      errors: [],
    });
  });

  it("reads a quoted word that looks like a qualifier as a phrase", () => {
    expect(parse('"type:auth"')).toEqual({
      terms: [{ text: "type:auth", phrase: true, negated: false, length: 9 }],
      filters: [],
      errors: [],
    });
  });

  it("reads a known key followed by // as a qualifier", () => {
    expect(only("resource://x")).toEqual({ key: "resource", negated: false, values: ["//x"] });
  });
});

describe("errors", () => {
  it("names an unknown qualifier, lists the known ones and still applies the rest", () => {
    const r = parse("foo:bar type:auth hello");
    expect(r.errors).toEqual([
      {
        token: "foo:bar",
        message:
          'Unknown qualifier "foo:". Known: user:, action:, resource:, type:, result:, ip:, request_id:, correlation_id:, level:, service:, created:',
      },
    ]);
    expect(r.filters).toEqual([{ key: "type", negated: false, values: ["auth"] }]);
    expect(r.terms.map((t) => t.text)).toEqual(["hello"]);
  });

  it("suggests the nearest qualifier for a typo", () => {
    expect(parse("tpye:auth").errors[0]?.message).toContain('Did you mean "type:"?');
    expect(parse("Usr:x").errors[0]?.message).toMatch(/^Unknown qualifier "Usr:"\. Did you mean "user:"\?/);
    expect(parse("-reqest_id:x").errors[0]).toMatchObject({ token: "-reqest_id:x" });
  });

  it("reports unknown qualifiers with quoted values as one token", () => {
    expect(parse('nope:"a b" c')).toMatchObject({ errors: [{ token: 'nope:"a b"' }], terms: [{ text: "c" }] });
  });

  it.each(["user:", 'user:""', 'action:"  "', "-ip:", "created:", "type:"])("rejects the empty value %s", (q) => {
    const r = parse(`${q} x`);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.token).toBe(q);
    expect(r.errors[0]!.message).toMatch(/needs a value, e\.g\. /);
    expect(r.filters).toEqual([]);
    expect(r.terms).toHaveLength(1);
  });

  it("rejects values outside the enums, naming the token and the choices", () => {
    expect(parse("type:nope").errors).toEqual([
      { token: "type:nope", message: `"type:nope" is not a category. Use one of: ${CATEGORIES.join(", ")}` },
    ]);
    expect(parse("-result:ok").errors[0]?.message).toBe(
      '"-result:ok" is not a result. Use one of: done, failed, pending, processing (or success, failure)',
    );
    expect(parse("level:debug").errors[0]?.message).toBe(
      '"level:debug" is not a level. Use one of: notice, information',
    );
  });

  it("does not mistake object prototype names for values", () => {
    for (const q of ["type:constructor", "result:__proto__", "level:tostring", "result:hasownproperty"]) {
      expect(parse(q).filters).toEqual([]);
      expect(errorsOf(q)).toEqual([q]);
    }
    expect(errorsOf("constructor:x __proto__:y")).toEqual(["constructor:x", "__proto__:y"]);
  });

  it("names the IP token", () => {
    expect(parse("ip:999.1.1.1").errors[0]).toEqual({
      token: "ip:999.1.1.1",
      message: '"ip:999.1.1.1" is not an IP address or CIDR range (e.g. 10.0.0.1, 10.0.0.0/8, 2001:db8::/32)',
    });
  });

  it("names the date token and the reason", () => {
    expect(parse("created:2026-13-45").errors[0]).toEqual({
      token: "created:2026-13-45",
      message: '"created:2026-13-45" is not a valid date: 2026-13-45 is not a calendar date',
    });
  });

  it("keeps only the first 1,000 characters and says so", () => {
    const atLimit = "a".repeat(MAX_SEARCH_LENGTH);
    expect(parse(atLimit).errors).toEqual([]);
    const r = parse(`${"a".repeat(MAX_SEARCH_LENGTH - 2)} b type:auth`);
    expect(r.terms.map((t) => t.text)).toEqual(["a".repeat(MAX_SEARCH_LENGTH - 2), "b"]);
    expect(r.filters).toEqual([]);
    expect(r.errors).toEqual([
      { token: " type:auth", message: "A search reads at most 1,000 characters; the rest was ignored." },
    ]);
  });

  it("never splits a surrogate pair when truncating", () => {
    const r = parse(`${"a".repeat(MAX_SEARCH_LENGTH - 1)}😀`);
    expect(r.terms[0]!.text).toBe("a".repeat(MAX_SEARCH_LENGTH - 1));
    expect(r.errors[0]!.token).toBe("😀");
  });

  it("applies at most 20 terms and qualifiers and reports the rest", () => {
    const words = Array.from({ length: 25 }, (_, i) => `w${i}`);
    const r = parse(`${words.slice(0, 19).join(" ")} bad:x type:auth ${words.slice(19).join(" ")} -ip:nope`);
    expect(r.terms).toHaveLength(19);
    expect(r.filters).toEqual([{ key: "type", negated: false, values: ["auth"] }]);
    expect(r.errors.map((e) => e.token)).toEqual(["bad:x", "-ip:nope", "w19 w20 w21 w22 w23 w24"]);
    expect(r.errors[2]!.message).toBe("A search applies at most 20 terms and qualifiers; 6 more were ignored.");
    expect(MAX_SEARCH_ITEMS).toBe(20);
  });

  it("reports a single ignored item in the singular", () => {
    const words = Array.from({ length: 21 }, (_, i) => `w${i}`).join(" ");
    expect(parse(words).errors).toEqual([
      { token: "w20", message: "A search applies at most 20 terms and qualifiers; 1 more was ignored." },
    ]);
  });

  it("does not throw on input that is not a string", () => {
    expect(parse(undefined as unknown as string)).toEqual({ terms: [], filters: [], errors: [] });
  });
});

describe("ip:", () => {
  it.each([
    ["0.0.0.0/0", { address: "0.0.0.0", prefix: 0, family: 4 }],
    ["0.0.0.0", { address: "0.0.0.0", prefix: null, family: 4 }],
    ["255.255.255.255", { address: "255.255.255.255", prefix: null, family: 4 }],
    ["10.0.0.0/8", { address: "10.0.0.0", prefix: 8, family: 4 }],
    ["10.1.2.3/8", { address: "10.0.0.0", prefix: 8, family: 4 }],
    ["192.168.1.77/26", { address: "192.168.1.64", prefix: 26, family: 4 }],
    ["1.2.3.4/32", { address: "1.2.3.4", prefix: 32, family: 4 }],
    ["255.255.255.255/0", { address: "0.0.0.0", prefix: 0, family: 4 }],
    ["::1", { address: "::1", prefix: null, family: 6 }],
    ["::", { address: "::", prefix: null, family: 6 }],
    ["::/0", { address: "::", prefix: 0, family: 6 }],
    ["2001:db8::/32", { address: "2001:db8::", prefix: 32, family: 6 }],
    ["2001:DB8:0000:0000:0000:0000:0000:0001", { address: "2001:db8::1", prefix: null, family: 6 }],
    ["2001:db8::1/128", { address: "2001:db8::1", prefix: 128, family: 6 }],
    ["2001:db8:abcd:ffff::/33", { address: "2001:db8:8000::", prefix: 33, family: 6 }],
    ["fe80::1:2/10", { address: "fe80::", prefix: 10, family: 6 }],
    ["1:0:0:2:0:0:0:3", { address: "1:0:0:2::3", prefix: null, family: 6 }],
    ["1:0:0:2:0:0:3:4", { address: "1::2:0:0:3:4", prefix: null, family: 6 }],
    ["2001:db8:0:1:1:1:1:1", { address: "2001:db8:0:1:1:1:1:1", prefix: null, family: 6 }],
    ["1:2:3:4:5:6:7::", { address: "1:2:3:4:5:6:7:0", prefix: null, family: 6 }],
    ["::2:3:4:5:6:7:8", { address: "0:2:3:4:5:6:7:8", prefix: null, family: 6 }],
    ["::ffff:1.2.3.4", { address: "::ffff:1.2.3.4", prefix: null, family: 6 }],
    ["::FFFF:0102:0304", { address: "::ffff:1.2.3.4", prefix: null, family: 6 }],
    ["::ffff:10.9.8.7/104", { address: "::ffff:10.0.0.0", prefix: 104, family: 6 }],
    ["::1.2.3.4", { address: "::102:304", prefix: null, family: 6 }],
    ["1:2:3:4:5:6:1.2.3.4", { address: "1:2:3:4:5:6:102:304", prefix: null, family: 6 }],
  ] as const)("ip:%s", (value, expected) => {
    expect(ip(value)).toEqual(expected);
  });

  it.each([
    "999.1.1.1",
    "256.0.0.1",
    "1.2.3",
    "1.2.3.4.5",
    "01.2.3.4",
    "1.2.3.-4",
    "1.2.3.4/33",
    "1.2.3.4/",
    "1.2.3.4/08",
    "1.2.3.4/-1",
    "1.2.3.4/a",
    "1.2.3.4/8/8",
    "::1/129",
    "1::2::3",
    ":::",
    ":1::",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4::5:6:7:8",
    "12345::",
    "gggg::",
    "fe80::1%eth0",
    "[::1]",
    "1.2.3.4::",
    "::1.2.3.256",
    "::1.2.3",
    "localhost",
  ])("rejects ip:%s", (value) => {
    const r = parse(`ip:${value}`);
    expect(r.filters).toEqual([]);
    expect(r.errors).toEqual([
      {
        token: `ip:${value}`,
        message: `"ip:${value}" is not an IP address or CIDR range (e.g. 10.0.0.1, 10.0.0.0/8, 2001:db8::/32)`,
      },
    ]);
  });

  it("negates and ORs addresses", () => {
    expect(parse("-ip:10.0.0.0/8 -ip:::1 -ip:10.0.0.0/8").filters).toEqual([
      {
        key: "ip",
        negated: true,
        values: [
          { address: "10.0.0.0", prefix: 8, family: 4 },
          { address: "::1", prefix: null, family: 6 },
        ],
      },
    ]);
  });
});

describe("created:", () => {
  it("reads a bare day as that whole UTC day", () => {
    expect(created("2026-01-01")).toEqual({
      from: d("2026-01-01T00:00:00Z"),
      fromInclusive: true,
      to: d("2026-01-02T00:00:00Z"),
      toInclusive: false,
    });
    expect(created("=2026-01-01")).toEqual(created("2026-01-01"));
  });

  it("reads > as after the whole day and >= as from its start", () => {
    expect(created(">2026-01-01")).toEqual({
      from: d("2026-01-02T00:00:00Z"),
      fromInclusive: true,
      to: null,
      toInclusive: false,
    });
    expect(created(">=2026-01-01")).toEqual({
      from: d("2026-01-01T00:00:00Z"),
      fromInclusive: true,
      to: null,
      toInclusive: false,
    });
  });

  it("reads < as before the day and <= as through its end", () => {
    expect(created("<2026-02-01")).toEqual({
      from: null,
      fromInclusive: false,
      to: d("2026-02-01T00:00:00Z"),
      toInclusive: false,
    });
    expect(created("<=2026-02-01")).toEqual({
      from: null,
      fromInclusive: false,
      to: d("2026-02-02T00:00:00Z"),
      toInclusive: false,
    });
  });

  it("reads a range of days including both", () => {
    expect(created("2026-01-01..2026-01-31")).toEqual({
      from: d("2026-01-01T00:00:00Z"),
      fromInclusive: true,
      to: d("2026-02-01T00:00:00Z"),
      toInclusive: false,
    });
    expect(created("2026-01-05..2026-01-05")).toEqual(created("2026-01-05"));
    expect(created("2026-12-31..2027-01-01").to).toEqual(d("2027-01-02T00:00:00Z"));
  });

  it("reads open-ended ranges", () => {
    expect(created("2026-01-01..*")).toEqual(created(">=2026-01-01"));
    expect(created("2026-01-01..")).toEqual(created(">=2026-01-01"));
    expect(created("*..2026-01-31")).toEqual(created("<=2026-01-31"));
    expect(created("..2026-01-31")).toEqual(created("<=2026-01-31"));
  });

  it("uses date-times as exact instants", () => {
    expect(created("2026-01-01T10:00:00Z")).toEqual({
      from: d("2026-01-01T10:00:00Z"),
      fromInclusive: true,
      to: d("2026-01-01T10:00:00Z"),
      toInclusive: true,
    });
    expect(created(">2026-01-01T10:00:00Z")).toEqual({
      from: d("2026-01-01T10:00:00Z"),
      fromInclusive: false,
      to: null,
      toInclusive: false,
    });
    expect(created(">=2026-01-01T10:00:00+02:00").from).toEqual(d("2026-01-01T08:00:00Z"));
    expect(created("<2026-01-01T10:00-05:30")).toEqual({
      from: null,
      fromInclusive: false,
      to: d("2026-01-01T15:30:00Z"),
      toInclusive: false,
    });
    expect(created("<=2026-01-01t10:00:00.5z")).toEqual({
      from: null,
      fromInclusive: false,
      to: d("2026-01-01T10:00:00.500Z"),
      toInclusive: true,
    });
    expect(created("2026-01-01T00:00:00Z..2026-01-02T12:00:00Z")).toEqual({
      from: d("2026-01-01T00:00:00Z"),
      fromInclusive: true,
      to: d("2026-01-02T12:00:00Z"),
      toInclusive: true,
    });
    expect(created("2026-01-01T06:00:00Z..2026-01-02")).toEqual({
      from: d("2026-01-01T06:00:00Z"),
      fromInclusive: true,
      to: d("2026-01-03T00:00:00Z"),
      toInclusive: false,
    });
  });

  it("drops digits finer than a millisecond", () => {
    expect(created("2026-01-01T10:00:00.123999999Z").from).toEqual(d("2026-01-01T10:00:00.123Z"));
  });

  it("crosses day and year boundaries with offsets", () => {
    expect(created("2026-01-01T00:30:00+01:00").from).toEqual(d("2025-12-31T23:30:00Z"));
  });

  it.each(["2028-02-29", "2000-02-29", "2024-02-29", "2026-04-30", "2026-12-31", "0001-01-01"])(
    "accepts the calendar date %s",
    (date) => {
      expect(created(date).from).toEqual(d(`${date}T00:00:00Z`));
    },
  );

  it("keeps years before 100 as written (no Date.UTC 19xx mapping)", () => {
    expect(created("0050-03-01").from!.getUTCFullYear()).toBe(50);
  });

  it.each([
    ["2026-02-29", "2026-02-29 is not a calendar date"],
    ["2100-02-29", "2100-02-29 is not a calendar date"],
    ["2026-13-45", "2026-13-45 is not a calendar date"],
    ["2026-04-31", "2026-04-31 is not a calendar date"],
    ["2026-00-10", "2026-00-10 is not a calendar date"],
    ["2026-01-00", "2026-01-00 is not a calendar date"],
    ["0000-01-01", "0000-01-01 is not a calendar date"],
    ["2026-1-1", "use YYYY-MM-DD or an ISO date-time such as 2026-01-01T09:30:00Z"],
    ["yesterday", "use YYYY-MM-DD or an ISO date-time such as 2026-01-01T09:30:00Z"],
    ["10000-01-01", "use YYYY-MM-DD or an ISO date-time such as 2026-01-01T09:30:00Z"],
    ["2026-01-01T10", "use YYYY-MM-DD or an ISO date-time such as 2026-01-01T09:30:00Z"],
    ["2026-01-01T24:00:00Z", "24:00:00 is not a time of day"],
    ["2026-01-01T23:60Z", "23:60:00 is not a time of day"],
    ["2026-01-01T23:59:60Z", "23:59:60 is not a time of day"],
    ["2026-01-01T10:00:00+24:00", "+24:00 is not a UTC offset"],
    [">", "give a date, e.g. >2026-01-01"],
    ["<=", "give a date, e.g. <=2026-01-01"],
    ["2026-01-31..2026-01-01", "the range starts after it ends"],
    ["2026-01-01T10:00:00Z..2026-01-01T09:00:00Z", "the range starts after it ends"],
    [">2026-01-01..2026-01-31", "a comparison cannot be combined with a range"],
    ["2026-01-01..2026-01-02..2026-01-03", "a range has exactly one '..'"],
    ["*..*", "give at least one end of the range"],
    ["..", "give at least one end of the range"],
    ["9999-12-31", "dates must fall within the years 0001 to 9999"],
    ["0001-01-01T00:00:00+01:00", "dates must fall within the years 0001 to 9999"],
  ])("rejects created:%s", (value, reason) => {
    const r = parse(`created:${value}`);
    expect(r.filters).toEqual([]);
    expect(r.errors).toEqual([
      { token: `created:${value}`, message: `"created:${value}" is not a valid date: ${reason}` },
    ]);
  });

  it("reads days and times without an offset in the reader's time zone", () => {
    const tokyo = (q: string) => parseSearchQuery(q, { timeZone: "Asia/Tokyo" }).filters[0];
    expect(created("2026-01-01T10:00:00").from).toEqual(d("2026-01-01T10:00:00Z"));
    expect(tokyo("created:2026-01-01T10:00")).toMatchObject({ values: [{ from: d("2026-01-01T01:00:00Z") }] });
    expect(tokyo("created:2026-01-01")).toMatchObject({
      values: [{ from: d("2025-12-31T15:00:00Z"), to: d("2026-01-01T15:00:00Z"), toInclusive: false }],
    });
    // A day across a daylight-saving change has its real length: 23 hours in New York in March.
    const ny = parseSearchQuery("created:2026-03-08", { timeZone: "America/New_York" }).filters[0];
    expect(ny).toMatchObject({ values: [{ from: d("2026-03-08T05:00:00Z"), to: d("2026-03-09T04:00:00Z") }] });
    expect(
      formatSearchQuery(parseSearchQuery("created:2026-03-08", { timeZone: "America/New_York" }), {
        timeZone: "America/New_York",
      }),
    ).toBe("created:2026-03-08");
  });

  it("accepts a datetime range of one instant", () => {
    expect(created("2026-01-01..2026-01-01T00:00:00Z")).toEqual(created("2026-01-01T00:00:00Z"));
  });

  it("ORs several ranges and negates them", () => {
    expect(parse("-created:2026-01-01 -created:2026-01-03").filters).toEqual([
      {
        key: "created",
        negated: true,
        values: [created("2026-01-01"), created("2026-01-03")],
      },
    ]);
  });
});

describe("formatSearchQuery", () => {
  it.each([
    ['Foo  "Bar Baz"   -qux', 'foo "bar baz" -qux'],
    ["type:auth hello type:VPN -type:db-backup", "hello type:auth type:vpn -type:db_backup"],
    [
      'target:"My Service" actor:x status:success level:info module:m',
      'resource:"my service" user:x result:done level:information service:m',
    ],
    ["ip:10.1.2.3/8 ip:2001:DB8::0:1", "ip:10.0.0.0/8 ip:2001:db8::1"],
    ["created:>2026-01-01", "created:>=2026-01-02"],
    ["created:<=2026-01-31", "created:<2026-02-01"],
    ["created:2026-01-01..2026-01-31 created:=2026-03-01", "created:2026-01-01..2026-01-31 created:2026-03-01"],
    ["created:>2026-01-01T10:00+02:00", "created:>2026-01-01T08:00:00.000Z"],
    ["created:2026-01-01T10:00:00Z", "created:2026-01-01T10:00:00.000Z"],
    ["created:2026-01-01..2026-01-02T12:00:00Z", "created:2026-01-01..2026-01-02T12:00:00.000Z"],
    ["created:*..2026-01-05", "created:<2026-01-06"],
    ["created:>2026-01-01T00:00:00Z", "created:>2026-01-01T00:00:00.000Z"],
    ["created:<=2026-01-01T00:00:00Z", "created:<=2026-01-01T00:00:00.000Z"],
    ["created:<2026-01-01T00:00:00Z", "created:<2026-01-01"],
    ["created:>=2026-01-01T00:00:00Z", "created:>=2026-01-01"],
    ['"unterminated', '"unterminated"'],
    ["https://x.y/z --force", "https://x.y/z --force"],
    ["foo:bar ip:nope", ""],
    // Quoted action and request id values match whole and keep their quotes; other keys need none.
    ['action:"Restore" action:deploy request_id:"R1"', 'action:"restore" action:deploy request_id:"r1"'],
    ['action:"restore" action:restore', "action:restore"],
    ['action:restore action:"restore"', "action:restore"],
    ['resource:"checkout"', "resource:checkout"],
  ])("formats %s as %s", (input, canonical) => {
    expect(formatSearchQuery(parse(input))).toBe(canonical);
  });

  it("quotes hand-built values that would not read back bare", () => {
    const q: SearchQuery = {
      terms: [
        { text: "type:auth", phrase: false, negated: false, length: 9 },
        { text: "-x", phrase: false, negated: false, length: 2 },
        { text: "", phrase: false, negated: false, length: 0 },
      ],
      filters: [{ key: "user", negated: false, values: ['"alice', "a b", ""] }],
      errors: [],
    };
    expect(formatSearchQuery(q)).toBe('"type:auth" "-x" user:"alice" user:"a b"');
  });
});

describe("whole values", () => {
  it("marks quoted action and request id values as whole, and only those", () => {
    expect(parse('action:"restore" action:update').filters).toEqual([
      { key: "action", negated: false, values: ["restore", "update"], whole: ["restore"] },
    ]);
    expect(parse('-request_id:"req_1"').filters).toEqual([
      { key: "request_id", negated: true, values: ["req_1"], whole: ["req_1"] },
    ]);
    expect(parse('service:"billing"').filters[0]).not.toHaveProperty("whole");
  });
});

describe("comma lists", () => {
  it("reads type:, result: and level: lists as the URL's type= and result= do", () => {
    expect(only("type:auth,service")).toEqual({ key: "type", negated: false, values: ["auth", "service"] });
    expect(only("-result:done,failure")).toEqual({ key: "result", negated: true, values: ["done", "failed"] });
    expect(only("level:notice,info")).toEqual({ key: "level", negated: false, values: ["notice", "information"] });
    // Empty items (a trailing comma while typing) are skipped; repeats count once.
    expect(only("type:auth,,db-backup,auth,")).toEqual({ key: "type", negated: false, values: ["auth", "db_backup"] });
  });

  it("means the same as the values written apart", () => {
    expect(parse("type:auth,vpn type:user").filters).toEqual(parse("type:auth type:vpn type:user").filters);
    expect(formatSearchQuery(parse("type:auth,vpn -result:done,failed"))).toBe(
      "type:auth type:vpn -result:done -result:failed",
    );
  });

  it("refuses the whole token for one unknown item, naming it", () => {
    const r = parse("type:auth,nope result:failed");
    expect(r.errors).toEqual([
      {
        token: "type:auth,nope",
        message: `"nope" in "type:auth,nope" is not a category. Use one of: ${CATEGORIES.join(", ")}`,
      },
    ]);
    expect(r.filters).toEqual([{ key: "result", negated: false, values: ["failed"] }]);
    expect(parse("type:,").errors[0]?.message).toContain("is not a category");
  });

  it("counts each item toward the limit of applied items", () => {
    const list = `type:${CATEGORIES.join(",")}`;
    const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");
    const fits = parse(`${words(MAX_SEARCH_ITEMS - CATEGORIES.length)} ${list}`);
    expect(fits.errors).toEqual([]);
    expect(fits.filters[0]?.values).toHaveLength(CATEGORIES.length);
    const over = parse(`${words(MAX_SEARCH_ITEMS - CATEGORIES.length + 1)} ${list}`);
    expect(over.filters).toEqual([]);
    expect(over.errors).toEqual([
      {
        token: list,
        message: `A search applies at most ${MAX_SEARCH_ITEMS} terms and qualifiers; 1 more was ignored.`,
      },
    ]);
  });

  it("keeps commas in text qualifiers as part of the value", () => {
    expect(only('resource:"lee, kim"')).toEqual({ key: "resource", negated: false, values: ["lee, kim"] });
  });
});

describe("correlation_id:", () => {
  it("keeps the id as written (the timeline groups by exact equality)", () => {
    expect(only("correlation_id:Op_77")).toEqual({ key: "correlation_id", negated: false, values: ["Op_77"] });
    expect(only("-correlation:op_77")).toEqual({ key: "correlation_id", negated: true, values: ["op_77"] });
    expect(formatSearchQuery(parse('correlation_id:"Op 7"'))).toBe('correlation_id:"Op 7"');
  });
});

describe("pivots", () => {
  const at = { q: "", tz: "UTC" };
  const qOf = (o: { q?: string } | null) => o?.q;

  it("quote what needs quoting and name actions and request ids whole", () => {
    expect(qOf(pivotLinks("action", "delete", at).include)).toBe('action:"delete"');
    expect(qOf(pivotLinks("action", "Delete_Profile", at).exclude)).toBe('-action:"delete_profile"');
    expect(qOf(pivotLinks("request_id", "REQ_4b5be", at).include)).toBe('request_id:"req_4b5be"');
    expect(qOf(pivotLinks("target", "my service", at).include)).toBe('resource:"my service"');
    expect(qOf(pivotLinks("target", "checkout", at).exclude)).toBe("-resource:checkout");
    expect(qOf(pivotLinks("service", "Module X", at).include)).toBe('service:"module x"');
    expect(qOf(pivotLinks("ip", "2001:db8::1", at).exclude)).toBe("-ip:2001:db8::1");
    expect(qOf(pivotLinks("correlation_id", "Op_77", at).include)).toBe("correlation_id:Op_77");
    expect(qOf(pivotLinks("level", "notice", at).exclude)).toBe("-level:notice");
    expect(qOf(pivotLinks("actor", "kim@acme.test", at).exclude)).toBe("-user:kim@acme.test");
  });

  it("read back to exactly the value, for any text", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("action", "target", "service", "request_id", "correlation_id" as const),
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }),
        (field, value) => {
          const links = pivotLinks(field, value, at);
          for (const [o, negated] of [
            [links.include, false],
            [links.exclude, true],
          ] as const) {
            if (o === null) continue;
            const r = parse(o.q!);
            expect(r.errors).toEqual([]);
            expect(r.filters).toHaveLength(1);
            const f = r.filters[0]!;
            expect(f.negated).toBe(negated);
            expect(f.values).toEqual([field === "correlation_id" ? value : value.toLowerCase()]);
            if (field === "action" || field === "request_id") expect("whole" in f && f.whole).toEqual(f.values);
          }
        },
      ),
    );
  });

  it("offer no link for a value the language cannot say whole", () => {
    // A quote inside a spaced value cannot be escaped; spaces around a value are trimmed.
    expect(pivotLinks("target", 'say "hi" there', at)).toEqual({ include: null, exclude: null });
    expect(pivotLinks("service", " billing", at)).toEqual({ include: null, exclude: null });
    // A target name ending in * would be read as a prefix.
    expect(pivotLinks("target", "checkout*", at)).toEqual({ include: null, exclude: null });
    // An actor known by id is found with user=, which cannot exclude.
    expect(pivotLinks("actor", "u_1", at)).toEqual({
      include: { user: "u_1", cursor: null, entry: null },
      exclude: null,
    });
  });

  it("compose with the search in force", () => {
    const q = { q: 'checkout action:"deploy" -action:"delete"', tz: "UTC" };
    // Adding narrows: the other action is dropped (it would widen again); the same value's negation goes.
    expect(qOf(pivotLinks("action", "delete", q).include)).toBe('checkout action:"delete"');
    // Excluding the one action in force leaves none of it.
    expect(qOf(pivotLinks("action", "deploy", q).exclude)).toBe('checkout -action:"delete" -action:"deploy"');
    // A loose value still means more than the whole one excluded from it.
    expect(qOf(pivotLinks("action", "deploy", { q: "action:deploy", tz: "UTC" }).exclude)).toBe(
      'action:deploy -action:"deploy"',
    );
  });

  it("keep the open entry only when adding its own value", () => {
    const id = "0b7d0c1e-8f0a-4c55-9a4e-2a7a3e9c1f00";
    expect(pivotLinks("action", "deploy", at, id).include).toMatchObject({ entry: id, cursor: null });
    expect(pivotLinks("action", "deploy", at, id).exclude).toMatchObject({ entry: null, cursor: null });
  });
});

describe("panel edits of level: and service:", () => {
  it("replace the positive values and keep the rest of the search", () => {
    const q = "checkout level:notice -service:billing";
    expect(qualifierValues(q, "level", "UTC")).toEqual(["notice"]);
    expect(withQualifierValues(q, "level", ["notice", "information"], "UTC")).toBe(
      "checkout -service:billing level:notice level:information",
    );
    expect(withQualifierValues(q, "level", [], "UTC")).toBe("checkout -service:billing");
    expect(withQualifierValues(q, "service", ["Module X", "deployments"], "UTC")).toBe(
      'checkout level:notice -service:billing service:"module x" service:deployments',
    );
  });

  it("leave the text as typed when nothing changes", () => {
    const q = "LEVEL:Notice  type:nope";
    expect(withQualifierValues(q, "level", ["notice"], "UTC")).toBe(q);
    expect(withQualifierValues(q, "service", [], "UTC")).toBe(q);
  });
});

describe("SEARCH_QUALIFIERS", () => {
  it("lists every key once, with an example that parses to that key", () => {
    const keys = SEARCH_QUALIFIERS.map((q) => q.key);
    expect(keys).toEqual([
      "user",
      "action",
      "resource",
      "type",
      "result",
      "ip",
      "request_id",
      "correlation_id",
      "level",
      "service",
      "created",
    ]);
    for (const q of SEARCH_QUALIFIERS) {
      expect(only(q.example).key).toBe(q.key);
      expect(q.description.length).toBeGreaterThan(0);
      for (const alias of q.aliases) {
        const example = q.example.replace(`${q.key}:`, `${alias}:`);
        expect(parse(example).filters).toEqual(parse(q.example).filters);
      }
    }
  });

  it("includes target: as an alias of resource:", () => {
    expect(SEARCH_QUALIFIERS.find((q) => q.key === "resource")?.aliases).toContain("target");
  });
});

describe("tokenizeSearchQuery", () => {
  it("reports raw tokens with their positions", () => {
    const input = ' -type:auth "a b" x resource:"c d" ';
    expect(tokenizeSearchQuery(input).map((t) => [t.kind, t.raw, input.slice(t.start, t.end)])).toEqual([
      ["qualifier", "-type:auth", "-type:auth"],
      ["term", '"a b"', '"a b"'],
      ["term", "x", "x"],
      ["qualifier", 'resource:"c d"', 'resource:"c d"'],
    ]);
  });
});

/* -------------------------------------------------------------------------------------------- */
/* Properties                                                                                     */
/* -------------------------------------------------------------------------------------------- */

const INTERNAL_ERROR = "The search could not be read.";

function checkInvariants(q: SearchQuery): void {
  expect(q.errors.map((e) => e.message)).not.toContain(INTERNAL_ERROR);
  let count = q.terms.length;
  for (const term of q.terms) {
    expect(term.text).not.toBe("");
    expect(term.text).toBe(term.text.toLowerCase().trim());
    expect(term.length).toBe([...term.text].length);
  }
  for (const filter of q.filters) {
    expect(filter.values.length).toBeGreaterThan(0);
    count += filter.values.length;
    if (filter.key === "type") for (const v of filter.values) expect(CATEGORIES).toContain(v);
    if (filter.key === "result") for (const v of filter.values) expect(RESULTS).toContain(v);
    if (filter.key === "level") for (const v of filter.values) expect(LEVELS).toContain(v);
    if (filter.key === "ip") for (const v of filter.values) expect(isIP(v.address)).toBe(v.family);
    if (filter.key === "created") {
      for (const v of filter.values) {
        expect(v.from !== null || v.to !== null).toBe(true);
        if (v.from) expect(Number.isFinite(v.from.getTime())).toBe(true);
        if (v.to) expect(Number.isFinite(v.to.getTime())).toBe(true);
      }
    }
  }
  const keys = q.filters.map((f) => `${f.key}|${f.negated}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(count).toBeLessThanOrEqual(MAX_SEARCH_ITEMS);
}

const space = fc.constantFrom(" ", "  ", "\t", "\n", "\u00a0");
const word = fc.stringMatching(/^[a-z0-9][a-z0-9.@_]{0,7}$/);
const messyText = fc.string({ unit: "grapheme", maxLength: 12 });
const knownKeyText = fc.constantFrom(
  ...SEARCH_QUALIFIERS.flatMap((q) => [q.key, ...q.aliases]),
  "USER",
  "Type",
  "CREATED",
);

const ipv4Text = fc
  .tuple(fc.ipV4(), fc.option(fc.integer({ min: 0, max: 32 }), { nil: undefined }))
  .map(([a, p]) => (p === undefined ? a : `${a}/${p}`));
const ipv6Text = fc
  .tuple(fc.ipV6(), fc.option(fc.integer({ min: 0, max: 128 }), { nil: undefined }))
  .map(([a, p]) => (p === undefined ? a : `${a}/${p}`));
const dayText = fc
  .date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2200-12-31T00:00:00Z"), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const instantText = fc
  .tuple(
    fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2200-12-31T00:00:00Z"), noInvalidDate: true }),
    fc.boolean(),
    fc.constantFrom("Z", "z", "+02:00", "-05:30", "+00:00", "+14:00"),
  )
  // Midnights matter: the formatter writes some of them as bare dates, which mean whole days.
  .map(
    ([date, midnight, zone]) =>
      `${date.toISOString().slice(0, midnight ? 10 : 19)}${midnight ? "T00:00:00" : ""}${zone}`,
  );
const instant = (text: string) => Date.parse(text.replace(/z$/, "Z"));
const createdText = fc.oneof(
  dayText,
  instantText,
  fc.tuple(fc.constantFrom(">", ">=", "<", "<=", "="), fc.oneof(dayText, instantText)).map(([op, v]) => op + v),
  fc
    .tuple(fc.oneof(dayText, instantText), fc.oneof(dayText, instantText))
    // Ordered by the instants they name, not as text: "23:59:59Z" is after "00:00:00+02:00" the next day.
    .map(([a, b]) => (instant(a) <= instant(b) ? `${a}..${b}` : `${b}..${a}`)),
  dayText.map((a) => `${a}..*`),
  dayText.map((b) => `*..${b}`),
);

const negation = fc.constantFrom("", "-");

// Qualifier tokens that must apply.
const validQualifier = fc.oneof(
  fc
    .tuple(
      negation,
      fc.constantFrom("user", "actor", "action", "resource", "target", "request_id", "service", "module"),
      word,
    )
    .map(([n, k, v]) => `${n}${k}:${v}`),
  fc
    .tuple(negation, fc.constantFrom("user", "resource", "service"), fc.stringMatching(/^[a-z][a-z ]{0,8}[a-z]$/))
    .map(([n, k, v]) => `${n}${k}:"${v}"`),
  fc.tuple(negation, fc.constantFrom(...CATEGORIES)).map(([n, v]) => `${n}type:${v}`),
  fc.tuple(negation, fc.constantFrom(...RESULTS, "success", "failure")).map(([n, v]) => `${n}result:${v}`),
  fc.tuple(negation, fc.constantFrom(...LEVELS, "info")).map(([n, v]) => `${n}level:${v}`),
  fc.tuple(negation, fc.oneof(ipv4Text, ipv6Text)).map(([n, v]) => `${n}ip:${v}`),
  fc.tuple(negation, createdText).map(([n, v]) => `${n}created:${v}`),
);

const validTerm = fc.oneof(
  fc.tuple(negation, word).map(([n, w]) => `${n}${w}`),
  fc.tuple(negation, fc.stringMatching(/^[a-z][a-z0-9 ]{0,10}[a-z]$/)).map(([n, p]) => `${n}"${p}"`),
  fc.constantFrom("https://example.com/x", "12:30", "--force", "it's"),
);

// Tokens that must be reported and never applied.
const invalidToken = fc.oneof(
  fc.tuple(negation, fc.constantFrom("foo", "bar_baz", "Nope", "tpye"), word).map(([n, k, v]) => `${n}${k}:${v}`),
  fc
    .tuple(negation, fc.constantFrom("type", "result", "level"), fc.constantFrom("nope", "x", "constructor"))
    .map(([n, k, v]) => `${n}${k}:${v}`),
  fc
    .tuple(negation, fc.constantFrom("999.1.1.1", "1.2.3.4/33", "::1/129", "1::2::3", "01.2.3.4", "abc"))
    .map(([n, v]) => `${n}ip:${v}`),
  fc
    .tuple(
      negation,
      fc.constantFrom("2026-13-45", "2026-02-29", ">", "2026-01-02..2026-01-01", "2026-01-01T25:00", "soon"),
    )
    .map(([n, v]) => `${n}created:${v}`),
  fc.tuple(negation, knownKeyText).map(([n, k]) => `${n}${k}:`),
  fc.tuple(negation, knownKeyText).map(([n, k]) => `${n}${k}:""`),
);

type Labelled = { text: string; valid: boolean };

const soup = fc
  .array(
    fc.oneof(
      validQualifier.map((text): Labelled => ({ text, valid: true })),
      validTerm.map((text): Labelled => ({ text, valid: true })),
      invalidToken.map((text): Labelled => ({ text, valid: false })),
    ),
    { maxLength: 30 },
  )
  .chain((tokens) =>
    fc.array(space, { minLength: tokens.length, maxLength: tokens.length }).map((gaps) => ({
      tokens,
      text: tokens.map((t, i) => `${gaps[i]}${t.text}`).join(""),
    })),
  );

// Raw soup: fragments that stress the tokenizer, glued without separators.
const fragments = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', "-", ":", " ", "..", "*", ">", ">=", "/", "::", ".", "\u212a", "İ", "Σ", "😀", "\u0000"),
      knownKeyText.map((k) => `${k}:`),
      word,
      messyText,
      validQualifier,
      invalidToken,
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

const anyInput = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: "grapheme" }),
  fragments,
  soup.map((s) => s.text),
);

describe("properties", () => {
  it("never throws and always returns a well-formed query", () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        checkInvariants(parse(input));
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws on very long input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 900, maxLength: 3000 }), fragments, (a, b) => {
        const q = parse(a + b);
        checkInvariants(q);
      }),
      { numRuns: 100 },
    );
  });

  it("round-trips through formatSearchQuery", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 250 }),
          fc.string({ unit: "binary", maxLength: 250 }),
          fragments.filter((s) => s.length <= 250),
          soup.map((s) => s.text).filter((s) => s.length <= 250),
        ),
        (input) => {
          const first = parse(input);
          const text = formatSearchQuery(first);
          const second = parse(text);
          expect(second.errors).toEqual([]);
          expect(applied(second)).toEqual(applied(first));
          expect(formatSearchQuery(second)).toBe(text);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("round-trips every kind of qualifier value", () => {
    fc.assert(
      fc.property(fc.array(validQualifier, { minLength: 1, maxLength: 3 }), (tokens) => {
        const first = parse(tokens.join(" "));
        expect(first.errors).toEqual([]);
        const second = parse(formatSearchQuery(first));
        expect(second.errors).toEqual([]);
        expect(applied(second)).toEqual(applied(first));
      }),
      { numRuns: 3000 },
    );
  });

  it("applies exactly the valid tokens and reports exactly the invalid ones", () => {
    fc.assert(
      fc.property(soup, ({ tokens, text }) => {
        const validCount = tokens.filter((t) => t.valid).length;
        fc.pre(validCount <= MAX_SEARCH_ITEMS);
        const result = parse(text);
        const validOnly = parse(
          tokens
            .filter((t) => t.valid)
            .map((t) => t.text)
            .join(" "),
        );
        expect(validOnly.errors).toEqual([]);
        expect(applied(result)).toEqual(applied(validOnly));
        expect(result.errors.map((e) => e.token)).toEqual(tokens.filter((t) => !t.valid).map((t) => t.text));
        for (const error of result.errors) {
          expect(error.message).toContain(error.token.replace(/^-/, "").split(":")[0]);
          const alone = parse(error.token);
          expect(applied(alone)).toEqual({ terms: [], filters: [] });
          expect(alone.errors).toHaveLength(1);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("accepts only enum values for type:, result: and level:", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("type", "result", "level", "category", "status"),
        fc.oneof(
          fc.string({ maxLength: 15 }),
          fc.constantFrom(...CATEGORIES, ...RESULTS, ...LEVELS, "success", "info"),
        ),
        (key, value) => {
          const q = parse(`${key}:"${value.replaceAll('"', "")}"`);
          checkInvariants(q);
          expect(q.filters.length + q.errors.length).toBe(1);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("agrees with node:net on which addresses are IP addresses", () => {
    const candidate = fc.oneof(
      fc.stringMatching(/^[0-9a-fA-F:.]{1,45}$/),
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4Extended(),
      fc
        .array(fc.constantFrom("0", "1", "255", "256", "00", "ffff", "::", ":", ".", "1.2.3.4"), { maxLength: 10 })
        .map((p) => p.join("")),
    );
    fc.assert(
      fc.property(candidate, (value) => {
        const q = parse(`ip:${value}`);
        const family = isIP(value);
        if (family === 0) {
          expect(q.filters).toEqual([]);
        } else {
          const f = q.filters[0];
          expect(f?.key).toBe("ip");
          if (f?.key !== "ip") return;
          expect(f.values[0]?.family).toBe(family);
          if (family === 6 && !f.values[0]!.address.startsWith("::ffff:")) {
            // WHATWG URL serializes IPv6 hosts the RFC 5952 way, except for IPv4-mapped ones.
            expect(f.values[0]!.address).toBe(new URL(`http://[${value}]/`).hostname.slice(1, -1));
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("reads every real calendar day as its UTC midnight, and rejects impossible days", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9998 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (year, month, day) => {
          const text = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
          const truth = new Date(0);
          truth.setUTCFullYear(year, month - 1, day);
          truth.setUTCHours(0, 0, 0, 0);
          const real = truth.getUTCDate() === day;
          const q = parse(`created:${text}`);
          if (real) {
            expect(q.errors).toEqual([]);
            const f = q.filters[0];
            expect(f?.key === "created" && f.values[0]?.from?.getTime()).toBe(truth.getTime());
          } else {
            expect(q.filters).toEqual([]);
            expect(q.errors[0]?.message).toContain("is not a calendar date");
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("reads date-times with offsets as the instant Date.parse gives", () => {
    fc.assert(
      fc.property(instantText, (text) => {
        const f = only(`created:${text}`);
        expect(f.key === "created" && f.values[0]?.from?.getTime()).toBe(Date.parse(text.toUpperCase()));
      }),
      { numRuns: 500 },
    );
  });
});
