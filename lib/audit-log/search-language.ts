/*
 * The explorer's search language (`q`): free words, "quoted phrases" and qualifiers such as
 * `type:auth -result:failed created:>2026-01-01`. This module only reads and writes the text; the
 * query layer turns a SearchQuery into SQL. It is pure (no database, no server-only) so the search
 * bar can show the same messages as the server, and so it can be tested exhaustively.
 *
 * Reading rules, in the order the tokenizer applies them:
 * - Tokens are separated by whitespace (the same set String.prototype.trim removes).
 * - A leading `-` negates the token. A `-` standing alone is ignored.
 * - A token that starts with `"` is a phrase running to the next `"`; an unterminated quote takes
 *   the rest of the input, without an error, because that is what a user sees while still typing.
 *   Quotes anywhere else are ordinary characters, so `it's` and `5"` need no escaping.
 * - A token is a qualifier only when it starts (after the `-`) with letters or `_` followed by `:`
 *   (/^-?[A-Za-z_]+:/, keys compared case-insensitively). A value may be quoted: `resource:"my
 *   service"`. Anything else, like `12:30` or `a.b:c`, is a free word.
 * - Exception: an unknown key followed by `//` is a URL (`https://host/path`), read as a free word
 *   rather than reported as an unknown qualifier.
 *
 * Meaning: free terms AND together, and each must match (or, negated, must not match) one of actor
 * name, actor email, target name, IP, description (anywhere inside) or request id (its start;
 * lib/filters.ts says why). The same qualifier repeated ORs
 * its values (`type:auth type:vpn`), negated ones exclude all of theirs (`-type:auth -type:vpn`),
 * and different qualifiers AND together. A token that cannot be read becomes an error entry and is
 * left out; the rest of the query still applies. Parsing never throws.
 *
 * Text is lower-cased, because every match is case-insensitive: the query layer compares against
 * lower(column). Bare dates in `created:` are whole UTC days, since the server has no time zone of
 * the user's to go by; date-times with Z or an offset are exact instants.
 *
 * Limits bound the work a single request can ask for: the first 1,000 characters are read, and at
 * most 20 terms and qualifiers apply. Both limits apply to the typed text, not the canonical text.
 */
import {
  auditCategory,
  auditLevel,
  auditResult,
  type AuditCategory,
  type AuditLevel,
  type AuditResult,
} from "@/db/schema/enums";

export type Category = AuditCategory;
export type Result = AuditResult;
export type Level = AuditLevel;

export type SearchTerm = {
  // Lower-cased and trimmed.
  text: string;
  phrase: boolean;
  negated: boolean;
  // In code points: the query layer matches 1 and 2 character words differently (no trigrams).
  length: number;
};

export type IpValue = { address: string; prefix: number | null; family: 4 | 6 };

// One `created:` value as an interval of instants. A null bound is open.
export type CreatedRange = {
  from: Date | null;
  fromInclusive: boolean;
  to: Date | null;
  toInclusive: boolean;
};

export type TextQualifierKey = "user" | "action" | "resource" | "request_id" | "service";

// One entry per (key, negated); its values are OR-ed. A negated entry excludes every value.
export type SearchFilter =
  | { key: TextQualifierKey; negated: boolean; values: string[] }
  | { key: "type"; negated: boolean; values: Category[] }
  | { key: "result"; negated: boolean; values: Result[] }
  | { key: "level"; negated: boolean; values: Level[] }
  | { key: "ip"; negated: boolean; values: IpValue[] }
  | { key: "created"; negated: boolean; values: CreatedRange[] };

export type SearchQualifierKey = SearchFilter["key"];

export type SearchError = { token: string; message: string };

export type SearchQuery = {
  terms: SearchTerm[];
  filters: SearchFilter[];
  errors: SearchError[];
};

export type SearchQualifierInfo = {
  key: SearchQualifierKey;
  aliases: readonly string[];
  description: string;
  example: string;
};

// As read, before any validation. Positions index the (possibly truncated) input.
export type SearchToken =
  | {
      kind: "term";
      raw: string;
      start: number;
      end: number;
      negated: boolean;
      phrase: boolean;
      text: string;
    }
  | {
      kind: "qualifier";
      raw: string;
      start: number;
      end: number;
      negated: boolean;
      key: string;
      value: string;
      quoted: boolean;
    };

export const MAX_SEARCH_LENGTH = 1000;
export const MAX_SEARCH_ITEMS = 20;

const CATEGORIES: readonly Category[] = auditCategory.enumValues;
const RESULTS: readonly Result[] = auditResult.enumValues;
const LEVELS: readonly Level[] = auditLevel.enumValues;

export const SEARCH_QUALIFIERS: readonly SearchQualifierInfo[] = [
  {
    key: "user",
    aliases: ["actor"],
    description: "Who acted: the actor's email or name",
    example: "user:alice@acme.test",
  },
  { key: "action", aliases: [], description: "The action performed", example: "action:delete" },
  {
    key: "resource",
    aliases: ["target"],
    description: "The target's name or id",
    example: 'resource:"my service"',
  },
  {
    key: "type",
    aliases: ["category"],
    description: `The category: ${CATEGORIES.join(", ")}`,
    example: "type:auth",
  },
  {
    key: "result",
    aliases: ["status"],
    description: `The outcome: ${RESULTS.join(", ")} (success and failure work too)`,
    example: "result:failed",
  },
  {
    key: "ip",
    aliases: [],
    description: "An IPv4 or IPv6 address, or a CIDR range",
    example: "ip:10.0.0.0/8",
  },
  { key: "request_id", aliases: [], description: "The request id", example: "request_id:req_123" },
  { key: "level", aliases: [], description: `The level: ${LEVELS.join(" or ")}`, example: "level:notice" },
  {
    key: "service",
    aliases: ["module"],
    description: "The service or module",
    example: "service:billing",
  },
  {
    key: "created",
    aliases: [],
    description:
      "When it happened: a day, >, >=, <, <= a day, or a range of days (UTC); ISO date-times with Z or an offset work too",
    example: "created:2026-01-01..2026-01-31",
  },
];

const KEYS_BY_NAME: ReadonlyMap<string, SearchQualifierKey> = new Map(
  SEARCH_QUALIFIERS.flatMap((q) => [q.key, ...q.aliases].map((name) => [name, q.key] as const)),
);

const KNOWN_KEYS_TEXT = SEARCH_QUALIFIERS.map((q) => `${q.key}:`).join(", ");

// Friendly words people type for an outcome or level; Maps, so `type:constructor` finds nothing.
const RESULT_ALIASES: ReadonlyMap<string, Result> = new Map([
  ["success", "done"],
  ["failure", "failed"],
]);
const LEVEL_ALIASES: ReadonlyMap<string, Level> = new Map([["info", "information"]]);

/* ------------------------------------------------------------------------------------------ */
/* Tokenizer                                                                                    */
/* ------------------------------------------------------------------------------------------ */

const WHITESPACE = /\s/;
const QUALIFIER_KEY = /^[a-z_]+$/;

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && WHITESPACE.test(ch);
}

function wordEnd(input: string, from: number): number {
  let i = from;
  while (i < input.length && !isSpace(input[i])) i++;
  return i;
}

// `openQuote` indexes a `"`. Returns the text inside and the index just past the closing quote.
function readQuoted(input: string, openQuote: number): { text: string; end: number } {
  const close = input.indexOf('"', openQuote + 1);
  return close === -1
    ? { text: input.slice(openQuote + 1), end: input.length }
    : { text: input.slice(openQuote + 1, close), end: close + 1 };
}

// The key of a qualifier starting at `from`, or null when the token is not a qualifier.
function qualifierKeyAt(input: string, from: number): string | null {
  let i = from;
  while (i < input.length && !isSpace(input[i]) && input[i] !== ":" && input[i] !== '"') i++;
  if (i === from || input[i] !== ":") return null;
  const key = input.slice(from, i);
  // Lower-casing first makes keys case-insensitive for every spelling that reads as ASCII,
  // including the Kelvin sign, so a word can never turn into a qualifier once lower-cased.
  if (!QUALIFIER_KEY.test(key.toLowerCase())) return null;
  const isUrl = !KEYS_BY_NAME.has(key.toLowerCase()) && input.startsWith("//", i + 1);
  return isUrl ? null : key;
}

export function tokenizeSearchQuery(input: string): SearchToken[] {
  const tokens: SearchToken[] = [];
  let i = 0;
  while (i < input.length) {
    if (isSpace(input[i])) {
      i++;
      continue;
    }
    const start = i;
    let negated = false;
    if (input[i] === "-") {
      if (i + 1 >= input.length || isSpace(input[i + 1])) {
        i++;
        continue;
      }
      negated = true;
      i++;
    }
    if (input[i] === '"') {
      const { text, end } = readQuoted(input, i);
      tokens.push({ kind: "term", raw: input.slice(start, end), start, end, negated, phrase: true, text });
      i = end;
      continue;
    }
    const key = qualifierKeyAt(input, i);
    if (key !== null) {
      const valueStart = i + key.length + 1;
      const quoted = input[valueStart] === '"';
      const { text: value, end } = quoted
        ? readQuoted(input, valueStart)
        : { text: input.slice(valueStart, wordEnd(input, valueStart)), end: wordEnd(input, valueStart) };
      tokens.push({ kind: "qualifier", raw: input.slice(start, end), start, end, negated, key, value, quoted });
      i = end;
      continue;
    }
    const end = wordEnd(input, i);
    tokens.push({
      kind: "term",
      raw: input.slice(start, end),
      start,
      end,
      negated,
      phrase: false,
      text: input.slice(i, end),
    });
    i = end;
  }
  return tokens;
}

/* ------------------------------------------------------------------------------------------ */
/* Values                                                                                       */
/* ------------------------------------------------------------------------------------------ */

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const IPV4_OCTET = /^(?:0|[1-9]\d{0,2})$/;
const IPV6_GROUP = /^[0-9a-f]{1,4}$/;
const PREFIX = /^(?:0|[1-9]\d{0,2})$/;

// Leading zeros are refused: some tools read 010 as octal, so the intent is ambiguous.
function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const octets: number[] = [];
  for (const part of parts) {
    if (!IPV4_OCTET.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    octets.push(octet);
  }
  return octets;
}

function parseIpv6Side(side: string, allowIpv4Tail: boolean): number[] | null {
  if (side === "") return [];
  const parts = side.split(":");
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (allowIpv4Tail && index === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (!v4) return null;
      groups.push(v4[0]! * 256 + v4[1]!, v4[2]! * 256 + v4[3]!);
    } else if (IPV6_GROUP.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return null;
    }
  }
  return groups;
}

// Eight 16-bit groups; `::` stands for one or more zero groups; an IPv4 tail counts as two.
// Zone ids (`%eth0`) and brackets are refused: they never appear in a logged address.
function parseIpv6(text: string): number[] | null {
  if (!/^[0-9a-f:.]+$/.test(text)) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  if (halves.length === 1) {
    const groups = parseIpv6Side(text, true);
    return groups && groups.length === 8 ? groups : null;
  }
  const head = parseIpv6Side(halves[0]!, false);
  const tail = parseIpv6Side(halves[1]!, true);
  if (!head || !tail || head.length + tail.length > 7) return null;
  return [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

// Clears the host bits, so `10.1.2.3/8` means the network 10.0.0.0/8 (and a cidr cast accepts it).
function maskGroups(groups: number[], prefix: number | null, bitsPerGroup: number): number[] {
  if (prefix === null) return groups;
  const full = 2 ** bitsPerGroup - 1;
  return groups.map((group, index) => {
    const kept = Math.min(Math.max(prefix - index * bitsPerGroup, 0), bitsPerGroup);
    const mask = full - (2 ** (bitsPerGroup - kept) - 1);
    return group & mask;
  });
}

// RFC 5952: lower case, no leading zeros, the longest run (2+) of zero groups as `::`.
function formatIpv6(groups: number[]): string {
  const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (isMapped) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLength < 2) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

function parseIp(value: string): IpValue | null {
  const slash = value.indexOf("/");
  const addressText = slash === -1 ? value : value.slice(0, slash);
  const prefixText = slash === -1 ? null : value.slice(slash + 1);
  if (prefixText !== null && !PREFIX.test(prefixText)) return null;
  const prefix = prefixText === null ? null : Number(prefixText);

  const v4 = parseIpv4(addressText);
  if (v4) {
    if (prefix !== null && prefix > 32) return null;
    return { address: maskGroups(v4, prefix, 8).join("."), prefix, family: 4 };
  }
  const v6 = parseIpv6(addressText);
  if (v6) {
    if (prefix !== null && prefix > 128) return null;
    return { address: formatIpv6(maskGroups(v6, prefix, 16)), prefix, family: 6 };
  }
  return null;
}

const DAY_MS = 86_400_000;

// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
// Date.UTC is avoided: it maps years 0-99 to 1900-1999.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// Bounds stay where toISOString writes a four-digit year, so formatted dates read back.
const MIN_MS = daysFromCivil(1, 1, 1) * DAY_MS;
const MAX_MS = daysFromCivil(10_000, 1, 1) * DAY_MS - 1;

type Instant = { ms: number; dateOnly: boolean };

const DATE = /^(\d{4})-(\d{2})-(\d{2})(.*)$/s;
const TIME = /^t(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(z|[+-]\d{2}:\d{2})?$/s;
const FORMAT_HINT = "use YYYY-MM-DD or an ISO date-time such as 2026-01-01T09:30:00Z";

// `text` is lower-cased, so `t` and `z` stand for T and Z.
function parseInstant(text: string): Parsed<Instant> {
  const date = DATE.exec(text);
  if (!date) return { ok: false, reason: FORMAT_HINT };
  const [, y = "", mo = "", d = "", rest = ""] = date;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, reason: `${y}-${mo}-${d} is not a calendar date` };
  }
  const dayMs = daysFromCivil(year, month, day) * DAY_MS;
  if (rest === "") return { ok: true, value: { ms: dayMs, dateOnly: true } };

  const time = TIME.exec(rest);
  if (!time) return { ok: false, reason: FORMAT_HINT };
  const [, h = "", mi = "", s = "00", fraction = "", zone] = time;
  if (zone === undefined) return { ok: false, reason: "add Z or an offset such as +02:00 to the time" };
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return { ok: false, reason: `${h}:${mi}:${s} is not a time of day` };
  }
  let offsetMinutes = 0;
  if (zone !== "z") {
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMins = Number(zone.slice(4, 6));
    if (offsetHours > 23 || offsetMins > 59) return { ok: false, reason: `${zone} is not a UTC offset` };
    offsetMinutes = (zone.startsWith("-") ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  // Stored times have millisecond precision; finer digits are dropped rather than rounded up.
  const millis = Number(fraction.slice(0, 3).padEnd(3, "0"));
  const ms = dayMs + ((Number(h) * 60 + Number(mi) - offsetMinutes) * 60 + Number(s)) * 1000 + millis;
  return { ok: true, value: { ms, dateOnly: false } };
}

type MsRange = { from: number | null; fromInclusive: boolean; to: number | null; toInclusive: boolean };

function rangeOfEnds(fromText: string, toText: string): Parsed<MsRange> {
  const open = (text: string) => text === "" || text === "*";
  if (open(fromText) && open(toText)) return { ok: false, reason: "give at least one end of the range" };
  let from: number | null = null;
  let to: number | null = null;
  let toInclusive = false;
  if (!open(fromText)) {
    const start = parseInstant(fromText);
    if (!start.ok) return start;
    from = start.value.ms;
  }
  if (!open(toText)) {
    const end = parseInstant(toText);
    if (!end.ok) return end;
    // A bare end date includes that whole day: stop before the next midnight.
    to = end.value.dateOnly ? end.value.ms + DAY_MS : end.value.ms;
    toInclusive = !end.value.dateOnly;
  }
  if (from !== null && to !== null && (toInclusive ? from > to : from >= to)) {
    return { ok: false, reason: "the range starts after it ends" };
  }
  return { ok: true, value: { from, fromInclusive: from !== null, to, toInclusive } };
}

function rangeOfComparison(operator: string, text: string): Parsed<MsRange> {
  if (text === "") return { ok: false, reason: `give a date, e.g. ${operator || ">"}2026-01-01` };
  const parsed = parseInstant(text);
  if (!parsed.ok) return parsed;
  const { ms, dateOnly } = parsed.value;
  const none = { from: null, fromInclusive: false, to: null, toInclusive: false };
  switch (operator) {
    case ">":
      return {
        ok: true,
        value: dateOnly ? { ...none, from: ms + DAY_MS, fromInclusive: true } : { ...none, from: ms },
      };
    case ">=":
      return { ok: true, value: { ...none, from: ms, fromInclusive: true } };
    case "<":
      return { ok: true, value: { ...none, to: ms } };
    case "<=":
      return { ok: true, value: dateOnly ? { ...none, to: ms + DAY_MS } : { ...none, to: ms, toInclusive: true } };
    default:
      return {
        ok: true,
        value: dateOnly
          ? { from: ms, fromInclusive: true, to: ms + DAY_MS, toInclusive: false }
          : { from: ms, fromInclusive: true, to: ms, toInclusive: true },
      };
  }
}

function parseCreated(value: string): Parsed<CreatedRange> {
  const [, operator = "", rest = ""] = /^(>=|<=|>|<|=)?(.*)$/s.exec(value) ?? [];
  let range: Parsed<MsRange>;
  if (rest.includes("..")) {
    const ends = rest.split("..");
    if (operator !== "") range = { ok: false, reason: "a comparison cannot be combined with a range" };
    else if (ends.length !== 2) range = { ok: false, reason: "a range has exactly one '..'" };
    else range = rangeOfEnds(ends[0] ?? "", ends[1] ?? "");
  } else {
    range = rangeOfComparison(operator, rest);
  }
  if (!range.ok) return range;
  const { from, to } = range.value;
  const outside = (ms: number | null) => ms !== null && (ms < MIN_MS || ms > MAX_MS);
  if (outside(from) || outside(to)) return { ok: false, reason: "dates must fall within the years 0001 to 9999" };
  return {
    ok: true,
    value: {
      from: from === null ? null : new Date(from),
      fromInclusive: range.value.fromInclusive,
      to: to === null ? null : new Date(to),
      toInclusive: range.value.toInclusive,
    },
  };
}

/* ------------------------------------------------------------------------------------------ */
/* Parser                                                                                       */
/* ------------------------------------------------------------------------------------------ */

// One qualifier token's contribution, before same-key tokens are grouped.
type SingleFilter =
  | { key: TextQualifierKey; negated: boolean; value: string }
  | { key: "type"; negated: boolean; value: Category }
  | { key: "result"; negated: boolean; value: Result }
  | { key: "level"; negated: boolean; value: Level }
  | { key: "ip"; negated: boolean; value: IpValue }
  | { key: "created"; negated: boolean; value: CreatedRange };

type Interpretation =
  | { kind: "term"; term: SearchTerm }
  | { kind: "filter"; filter: SingleFilter }
  | { kind: "error"; message: string }
  | { kind: "nothing" };

function findIn<T extends string>(list: readonly T[], value: string): T | undefined {
  return list.find((item) => item === value);
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function unknownQualifierMessage(key: string): string {
  const typed = key.toLowerCase();
  let suggestion: string | null = null;
  let best = 3;
  for (const [name, canonical] of KEYS_BY_NAME) {
    const distance = levenshtein(typed, name);
    if (distance < best) {
      best = distance;
      suggestion = canonical;
    }
  }
  const hint = suggestion === null ? "" : ` Did you mean "${suggestion}:"?`;
  return `Unknown qualifier "${key}:".${hint} Known: ${KNOWN_KEYS_TEXT}`;
}

function interpretQualifier(token: Extract<SearchToken, { kind: "qualifier" }>): Interpretation {
  const key = KEYS_BY_NAME.get(token.key.toLowerCase());
  if (key === undefined) return { kind: "error", message: unknownQualifierMessage(token.key) };
  const value = token.value.trim().toLowerCase();
  const { negated, raw } = token;
  if (value === "") {
    const example = SEARCH_QUALIFIERS.find((q) => q.key === key)?.example ?? `${key}:value`;
    return { kind: "error", message: `"${token.key}:" needs a value, e.g. ${example}` };
  }
  const fail = (message: string): Interpretation => ({ kind: "error", message });
  switch (key) {
    case "type": {
      // `db-backup` is how people write db_backup in prose.
      const category = findIn(CATEGORIES, value.replaceAll("-", "_"));
      return category
        ? { kind: "filter", filter: { key, negated, value: category } }
        : fail(`"${raw}" is not a category. Use one of: ${CATEGORIES.join(", ")}`);
    }
    case "result": {
      const result = findIn(RESULTS, value) ?? RESULT_ALIASES.get(value);
      return result
        ? { kind: "filter", filter: { key, negated, value: result } }
        : fail(`"${raw}" is not a result. Use one of: ${RESULTS.join(", ")} (or success, failure)`);
    }
    case "level": {
      const level = findIn(LEVELS, value) ?? LEVEL_ALIASES.get(value);
      return level
        ? { kind: "filter", filter: { key, negated, value: level } }
        : fail(`"${raw}" is not a level. Use one of: ${LEVELS.join(", ")}`);
    }
    case "ip": {
      const ip = parseIp(value);
      return ip
        ? { kind: "filter", filter: { key, negated, value: ip } }
        : fail(`"${raw}" is not an IP address or CIDR range (e.g. 10.0.0.1, 10.0.0.0/8, 2001:db8::/32)`);
    }
    case "created": {
      const created = parseCreated(value);
      return created.ok
        ? { kind: "filter", filter: { key, negated, value: created.value } }
        : fail(`"${raw}" is not a valid date: ${created.reason}`);
    }
    default:
      return { kind: "filter", filter: { key, negated, value } };
  }
}

function interpret(token: SearchToken): Interpretation {
  if (token.kind === "qualifier") return interpretQualifier(token);
  const text = token.text.toLowerCase().trim();
  if (text === "") return { kind: "nothing" };
  return {
    kind: "term",
    term: { text, phrase: token.phrase, negated: token.negated, length: [...text].length },
  };
}

function sameTerm(a: SearchTerm, b: SearchTerm): boolean {
  return a.text === b.text && a.phrase === b.phrase && a.negated === b.negated;
}

function pushUnique<T>(values: T[], value: T, identity: (v: T) => string): void {
  const id = identity(value);
  if (!values.some((v) => identity(v) === id)) values.push(value);
}

const ipIdentity = (v: IpValue) => `${v.address}/${v.prefix ?? ""}`;
const createdIdentity = (v: CreatedRange) =>
  `${v.from?.getTime() ?? ""}${v.fromInclusive ? "[" : "("}${v.to?.getTime() ?? ""}${v.toInclusive ? "]" : ")"}`;
const same = <T extends string>(v: T) => v;

function newFilter(single: SingleFilter): SearchFilter {
  switch (single.key) {
    case "type":
      return { key: single.key, negated: single.negated, values: [single.value] };
    case "result":
      return { key: single.key, negated: single.negated, values: [single.value] };
    case "level":
      return { key: single.key, negated: single.negated, values: [single.value] };
    case "ip":
      return { key: single.key, negated: single.negated, values: [single.value] };
    case "created":
      return { key: single.key, negated: single.negated, values: [single.value] };
    default:
      return { key: single.key, negated: single.negated, values: [single.value] };
  }
}

// Adds the value to the filter of the same key and sign, if there is one.
function mergeInto(filter: SearchFilter, single: SingleFilter): boolean {
  if (filter.key !== single.key || filter.negated !== single.negated) return false;
  if (filter.key === "type" && single.key === "type") pushUnique(filter.values, single.value, same);
  else if (filter.key === "result" && single.key === "result") pushUnique(filter.values, single.value, same);
  else if (filter.key === "level" && single.key === "level") pushUnique(filter.values, single.value, same);
  else if (filter.key === "ip" && single.key === "ip") pushUnique(filter.values, single.value, ipIdentity);
  else if (filter.key === "created" && single.key === "created") {
    pushUnique(filter.values, single.value, createdIdentity);
  } else if (isTextFilter(filter) && isTextSingle(single)) pushUnique(filter.values, single.value, same);
  return true;
}

const TEXT_KEYS: readonly string[] = [
  "user",
  "action",
  "resource",
  "request_id",
  "service",
] satisfies TextQualifierKey[];

function isTextFilter(f: SearchFilter): f is Extract<SearchFilter, { key: TextQualifierKey }> {
  return TEXT_KEYS.includes(f.key);
}

function isTextSingle(s: SingleFilter): s is Extract<SingleFilter, { key: TextQualifierKey }> {
  return TEXT_KEYS.includes(s.key);
}

function preview(text: string): string {
  const chars = [...text];
  return chars.length > 24 ? `${chars.slice(0, 24).join("")}…` : text;
}

// Cuts at `limit` code units without splitting a surrogate pair.
function truncate(input: string, limit: number): string {
  const cut = input.slice(0, limit);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

function parse(input: string): SearchQuery {
  const errors: SearchError[] = [];
  let text = input;
  if (text.length > MAX_SEARCH_LENGTH) {
    text = truncate(input, MAX_SEARCH_LENGTH);
    errors.push({
      token: preview(input.slice(text.length)),
      message: `A search reads at most ${MAX_SEARCH_LENGTH.toLocaleString("en-US")} characters; the rest was ignored.`,
    });
  }

  const terms: SearchTerm[] = [];
  const filters: SearchFilter[] = [];
  const ignored: string[] = [];
  let applied = 0;
  for (const token of tokenizeSearchQuery(text)) {
    const item = interpret(token);
    if (item.kind === "nothing") continue;
    if (item.kind === "error") {
      errors.push({ token: token.raw, message: item.message });
      continue;
    }
    if (applied >= MAX_SEARCH_ITEMS) {
      ignored.push(token.raw);
      continue;
    }
    applied++;
    if (item.kind === "term") {
      if (!terms.some((t) => sameTerm(t, item.term))) terms.push(item.term);
    } else if (!filters.some((f) => mergeInto(f, item.filter))) {
      filters.push(newFilter(item.filter));
    }
  }
  if (ignored.length > 0) {
    errors.push({
      token: ignored.join(" "),
      message: `A search applies at most ${MAX_SEARCH_ITEMS} terms and qualifiers; ${ignored.length} more ${ignored.length === 1 ? "was" : "were"} ignored.`,
    });
  }
  return { terms, filters, errors };
}

export function parseSearchQuery(input: string): SearchQuery {
  // The search bar must never break the page: a bug here degrades to "no filter" plus a message.
  try {
    return parse(typeof input === "string" ? input : "");
  } catch {
    return { terms: [], filters: [], errors: [{ token: "", message: "The search could not be read." }] };
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Formatter                                                                                    */
/* ------------------------------------------------------------------------------------------ */

// Quotes cannot be escaped inside a phrase, so values that contain one lose it (only values built
// by hand can; parsed ones never do).
function quote(text: string): string {
  return `"${text.replaceAll('"', "")}"`;
}

function formatTerm(term: SearchTerm): string {
  const sign = term.negated ? "-" : "";
  if (!term.phrase) {
    const bare = `${sign}${term.text}`;
    const [only, ...more] = tokenizeSearchQuery(bare);
    const readsBack =
      more.length === 0 &&
      only?.kind === "term" &&
      !only.phrase &&
      only.negated === term.negated &&
      only.text.toLowerCase() === term.text;
    if (readsBack) return bare;
  }
  return `${sign}${quote(term.text)}`;
}

function formatTextValue(key: SearchQualifierKey, value: string): string {
  const bare = `${key}:${value}`;
  const [only, ...more] = tokenizeSearchQuery(bare);
  const readsBack = more.length === 0 && only?.kind === "qualifier" && !only.quoted && only.value === value;
  return readsBack ? value : quote(value);
}

function isMidnight(ms: number): boolean {
  return ((ms % DAY_MS) + DAY_MS) % DAY_MS === 0;
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isoInstant = (ms: number) => new Date(ms).toISOString();
// An inclusive start at midnight is the start of that day, which a bare date says more simply.
const startText = (ms: number) => (isMidnight(ms) ? isoDate(ms) : isoInstant(ms));

// The inverse of parseCreated for every range it produces; other ranges get the closest text.
function formatCreated(range: CreatedRange): string {
  const from = range.from?.getTime() ?? null;
  const to = range.to?.getTime() ?? null;
  if (from !== null && to !== null) {
    if (!range.toInclusive && isMidnight(to)) {
      const lastDay = to - DAY_MS;
      if (from === lastDay) return isoDate(from);
      return `${startText(from)}..${isoDate(lastDay)}`;
    }
    if (from === to) return isoInstant(from);
    return `${startText(from)}..${isoInstant(to)}`;
  }
  if (from !== null) return range.fromInclusive ? `>=${startText(from)}` : `>${isoInstant(from)}`;
  if (to !== null) {
    if (range.toInclusive) return `<=${isoInstant(to)}`;
    return `<${isMidnight(to) ? isoDate(to) : isoInstant(to)}`;
  }
  return "*..*";
}

function formatFilterValues(filter: SearchFilter): string[] {
  switch (filter.key) {
    case "ip":
      return filter.values.map((v) => (v.prefix === null ? v.address : `${v.address}/${v.prefix}`));
    case "created":
      return filter.values.map(formatCreated);
    case "type":
    case "result":
    case "level":
      return [...filter.values];
    default:
      return filter.values.filter((v) => v !== "").map((v) => formatTextValue(filter.key, v));
  }
}

// Canonical text: terms first, then qualifiers in their order, one token per value.
export function formatSearchQuery(query: SearchQuery): string {
  const parts = query.terms.filter((t) => t.text !== "").map(formatTerm);
  for (const filter of query.filters) {
    const sign = filter.negated ? "-" : "";
    for (const value of formatFilterValues(filter)) parts.push(`${sign}${filter.key}:${value}`);
  }
  return parts.join(" ");
}
