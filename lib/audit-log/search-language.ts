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
 * its values (`type:auth type:vpn`, or as a comma list `type:auth,vpn` for type, result and level,
 * as the URL's `type=` and `result=` take them), negated ones exclude all of theirs (`-type:auth -type:vpn`),
 * and different qualifiers AND together. A token that cannot be read becomes an error entry and is
 * left out; the rest of the query still applies. Parsing never throws.
 *
 * Text is lower-cased, because every match is case-insensitive: the query layer compares against
 * lower(column). `created:` reads the console's one date grammar (dates.ts): bare dates are whole
 * days and times without an offset are wall-clock times, both in the reader's time zone (UTC
 * unless the caller passes one); date-times with Z or an offset are exact instants.
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
import ipaddr from "ipaddr.js";
import { isSafeText, showUnsafeText } from "@/lib/validation/safe-text";
import {
  dayText,
  DEFAULT_TIME_ZONE,
  endAfter,
  instantOf,
  isStartOfDay,
  isTimeZone,
  previousDayStart,
  readDateText,
  type DateText,
} from "./dates";

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

export type TextQualifierKey = "user" | "action" | "resource" | "request_id" | "correlation_id" | "service";

/*
 * Keys whose unquoted value matches more than the value itself (`action:` its leading words,
 * `request_id:` its start); a quoted value matches the whole value only (`action:"restore"` is not
 * restore_backup). Links built from counted values (facets) use the quoted form.
 */
export const WHOLE_WHEN_QUOTED: readonly TextQualifierKey[] = ["action", "request_id"];

// One entry per (key, negated); its values are OR-ed. A negated entry excludes every value.
// `whole` lists the text values (also in `values`) that must match whole (WHOLE_WHEN_QUOTED).
export type SearchFilter =
  | { key: TextQualifierKey; negated: boolean; values: string[]; whole?: string[] }
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
  {
    key: "action",
    aliases: [],
    description:
      'The action performed, or its leading words (delete finds delete_profile); end with * for any prefix, quote it for that action only ("restore")',
    example: "action:delete",
  },
  {
    key: "resource",
    aliases: ["target"],
    description: "The target's name or id",
    example: 'resource:"my service"',
  },
  {
    key: "type",
    aliases: ["category"],
    description: `The category: ${CATEGORIES.join(", ")}; several with commas (type:auth,vpn)`,
    example: "type:auth",
  },
  {
    key: "result",
    aliases: ["status"],
    description: `The outcome: ${RESULTS.join(", ")} (success and failure work too); several with commas`,
    example: "result:failed",
  },
  {
    key: "ip",
    aliases: [],
    description: "An IPv4 or IPv6 address, or a CIDR range",
    example: "ip:10.0.0.0/8",
  },
  {
    key: "request_id",
    aliases: [],
    description: "The request id, or its start; quoted, the whole id",
    example: "request_id:req_123",
  },
  {
    key: "correlation_id",
    aliases: ["correlation"],
    description: "The correlation id, whole and as written (the steps of one operation)",
    example: "correlation_id:op_77",
  },
  {
    key: "level",
    aliases: [],
    description: `The level: ${LEVELS.join(" or ")}; both with a comma`,
    example: "level:notice",
  },
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
      "When it happened: a day, >, >=, <, <= a day, or a range of days (in your time zone); ISO date-times work too",
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

const PREFIX = /^(?:0|[1-9]\d{0,2})$/;

// IPv4 needs four decimal parts: leading zeros (octal to some tools) and short forms are refused,
// so the intent is never ambiguous. Zone ids (`%eth0`) never appear in a logged address.
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes("%")) return null;
  // An IPv4 tail (`::ffff:10.0.0.1`) must itself be four decimal parts. It is written as two hex
  // groups first: ipaddr.js reads any such tail as IPv4-mapped, where PostgreSQL keeps `::1.2.3.4`.
  const colon = text.lastIndexOf(":");
  const tail = text.slice(colon + 1);
  let hex = text;
  if (tail.includes(".")) {
    if (colon === -1 || !ipaddr.IPv4.isValidFourPartDecimal(tail)) return null;
    const [a = 0, b = 0, c = 0, d = 0] = ipaddr.IPv4.parse(tail).octets;
    hex = `${text.slice(0, colon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  return ipaddr.IPv6.isValid(hex) ? ipaddr.IPv6.parse(hex) : null;
}

// RFC 5952, with an IPv4-mapped address written as PostgreSQL writes it (::ffff:1.2.3.4).
function formatAddress(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (address.kind() === "ipv4") return address.toString();
  const v6 = address as ipaddr.IPv6;
  return v6.isIPv4MappedAddress() ? `::ffff:${v6.toIPv4Address().toString()}` : v6.toRFC5952String();
}

function parseIp(value: string): IpValue | null {
  const slash = value.indexOf("/");
  const addressText = slash === -1 ? value : value.slice(0, slash);
  const prefixText = slash === -1 ? null : value.slice(slash + 1);
  if (prefixText !== null && !PREFIX.test(prefixText)) return null;
  const prefix = prefixText === null ? null : Number(prefixText);
  const address = parseAddress(addressText);
  if (!address) return null;
  const family = address.kind() === "ipv4" ? 4 : 6;
  if (prefix !== null && prefix > (family === 4 ? 32 : 128)) return null;
  // The network of a CIDR: `10.1.2.3/8` means 10.0.0.0/8 (and a cidr cast accepts it).
  const network =
    prefix === null
      ? address
      : family === 4
        ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`)
        : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  return { address: formatAddress(network), prefix, family };
}

// Bounds stay where toISOString writes a four-digit year, so formatted dates read back.
const MIN_MS = Date.parse("0001-01-01T00:00:00.000Z");
const MAX_MS = Date.parse("+010000-01-01T00:00:00.000Z") - 1;

type Instant = { ms: number; dateOnly: boolean; text: DateText };

function parseInstant(text: string, timeZone: string): Parsed<Instant> {
  const read = readDateText(text);
  if (!read.ok) return read;
  return {
    ok: true,
    value: { ms: instantOf(read.value, timeZone), dateOnly: read.value.time === null, text: read.value },
  };
}

type MsRange = { from: number | null; fromInclusive: boolean; to: number | null; toInclusive: boolean };

function rangeOfEnds(fromText: string, toText: string, timeZone: string): Parsed<MsRange> {
  const open = (text: string) => text === "" || text === "*";
  if (open(fromText) && open(toText)) return { ok: false, reason: "give at least one end of the range" };
  let from: number | null = null;
  let to: number | null = null;
  let toInclusive = false;
  if (!open(fromText)) {
    const start = parseInstant(fromText, timeZone);
    if (!start.ok) return start;
    from = start.value.ms;
  }
  if (!open(toText)) {
    const end = parseInstant(toText, timeZone);
    if (!end.ok) return end;
    // A bare end date includes that whole day: stop before the next day starts.
    to = end.value.dateOnly ? endAfter(end.value.text, timeZone) : end.value.ms;
    toInclusive = !end.value.dateOnly;
  }
  if (from !== null && to !== null && (toInclusive ? from > to : from >= to)) {
    return { ok: false, reason: "the range starts after it ends" };
  }
  return { ok: true, value: { from, fromInclusive: from !== null, to, toInclusive } };
}

function rangeOfComparison(operator: string, text: string, timeZone: string): Parsed<MsRange> {
  if (text === "") return { ok: false, reason: `give a date, e.g. ${operator || ">"}2026-01-01` };
  const parsed = parseInstant(text, timeZone);
  if (!parsed.ok) return parsed;
  const { ms, dateOnly } = parsed.value;
  const dayEnd = dateOnly ? endAfter(parsed.value.text, timeZone) : ms;
  const none = { from: null, fromInclusive: false, to: null, toInclusive: false };
  switch (operator) {
    case ">":
      return { ok: true, value: dateOnly ? { ...none, from: dayEnd, fromInclusive: true } : { ...none, from: ms } };
    case ">=":
      return { ok: true, value: { ...none, from: ms, fromInclusive: true } };
    case "<":
      return { ok: true, value: { ...none, to: ms } };
    case "<=":
      return { ok: true, value: dateOnly ? { ...none, to: dayEnd } : { ...none, to: ms, toInclusive: true } };
    default:
      return {
        ok: true,
        value: dateOnly
          ? { from: ms, fromInclusive: true, to: dayEnd, toInclusive: false }
          : { from: ms, fromInclusive: true, to: ms, toInclusive: true },
      };
  }
}

function parseCreated(value: string, timeZone: string): Parsed<CreatedRange> {
  const [, operator = "", rest = ""] = /^(>=|<=|>|<|=)?(.*)$/s.exec(value) ?? [];
  let range: Parsed<MsRange>;
  if (rest.includes("..")) {
    const ends = rest.split("..");
    if (operator !== "") range = { ok: false, reason: "a comparison cannot be combined with a range" };
    else if (ends.length !== 2) range = { ok: false, reason: "a range has exactly one '..'" };
    else range = rangeOfEnds(ends[0] ?? "", ends[1] ?? "", timeZone);
  } else {
    range = rangeOfComparison(operator, rest, timeZone);
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
  | { key: TextQualifierKey; negated: boolean; value: string; whole: boolean }
  | { key: "type"; negated: boolean; value: Category }
  | { key: "result"; negated: boolean; value: Result }
  | { key: "level"; negated: boolean; value: Level }
  | { key: "ip"; negated: boolean; value: IpValue }
  | { key: "created"; negated: boolean; value: CreatedRange };

type Interpretation =
  | { kind: "term"; term: SearchTerm }
  // Several for a comma list (`type:auth,vpn`): each value is its own item, as if typed twice.
  | { kind: "filter"; filters: SingleFilter[] }
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

/*
 * A comma list of enum values, as the URL's `type=` and `result=` take them (`type:auth,vpn`).
 * Empty items (`auth,,vpn`, a trailing comma while typing) are skipped; one unknown item refuses
 * the whole token, named in the message, so a typo never silently narrows to the other values.
 */
function listOf<T>(
  value: string,
  read: (item: string) => T | undefined,
): { ok: true; values: T[] } | { ok: false; bad: string } {
  const values: T[] = [];
  for (const item of value.split(",").map((v) => v.trim())) {
    if (item === "") continue;
    const known = read(item);
    if (known === undefined) return { ok: false, bad: item };
    if (!values.includes(known)) values.push(known);
  }
  return values.length > 0 ? { ok: true, values } : { ok: false, bad: value };
}

// The token when it is one value (`"type:nope"`), the item and its token in a list.
function badItem(raw: string, value: string, bad: string): string {
  return value.includes(",") ? `"${bad}" in "${raw}"` : `"${raw}"`;
}

function interpretQualifier(token: Extract<SearchToken, { kind: "qualifier" }>, timeZone: string): Interpretation {
  const key = KEYS_BY_NAME.get(token.key.toLowerCase());
  if (key === undefined) return { kind: "error", message: unknownQualifierMessage(token.key) };
  // Correlation ids are matched as written (the timeline groups steps by the same equality).
  const value = key === "correlation_id" ? token.value.trim() : token.value.trim().toLowerCase();
  const { negated, raw } = token;
  if (value === "") {
    const example = SEARCH_QUALIFIERS.find((q) => q.key === key)?.example ?? `${key}:value`;
    return { kind: "error", message: `"${token.key}:" needs a value, e.g. ${example}` };
  }
  const fail = (message: string): Interpretation => ({ kind: "error", message });
  switch (key) {
    case "type": {
      // `db-backup` is how people write db_backup in prose.
      const read = listOf(value, (v) => findIn(CATEGORIES, v.replaceAll("-", "_")));
      return read.ok
        ? { kind: "filter", filters: read.values.map((v) => ({ key, negated, value: v })) }
        : fail(`${badItem(raw, value, read.bad)} is not a category. Use one of: ${CATEGORIES.join(", ")}`);
    }
    case "result": {
      const read = listOf(value, (v) => findIn(RESULTS, v) ?? RESULT_ALIASES.get(v));
      return read.ok
        ? { kind: "filter", filters: read.values.map((v) => ({ key, negated, value: v })) }
        : fail(
            `${badItem(raw, value, read.bad)} is not a result. Use one of: ${RESULTS.join(", ")} (or success, failure)`,
          );
    }
    case "level": {
      const read = listOf(value, (v) => findIn(LEVELS, v) ?? LEVEL_ALIASES.get(v));
      return read.ok
        ? { kind: "filter", filters: read.values.map((v) => ({ key, negated, value: v })) }
        : fail(`${badItem(raw, value, read.bad)} is not a level. Use one of: ${LEVELS.join(", ")}`);
    }
    case "ip": {
      const ip = parseIp(value);
      return ip
        ? { kind: "filter", filters: [{ key, negated, value: ip }] }
        : fail(`"${raw}" is not an IP address or CIDR range (e.g. 10.0.0.1, 10.0.0.0/8, 2001:db8::/32)`);
    }
    case "created": {
      const created = parseCreated(value, timeZone);
      return created.ok
        ? { kind: "filter", filters: [{ key, negated, value: created.value }] }
        : fail(`"${raw}" is not a valid date: ${created.reason}`);
    }
    default:
      return {
        kind: "filter",
        filters: [{ key, negated, value, whole: token.quoted && WHOLE_WHEN_QUOTED.includes(key) }],
      };
  }
}

function interpret(token: SearchToken, timeZone: string): Interpretation {
  // PostgreSQL refuses such text in a query; the explorer's params drop it before, other callers here.
  if (!isSafeText(token.raw))
    return { kind: "error", message: "A NUL character or an unpaired surrogate cannot be searched." };
  if (token.kind === "qualifier") return interpretQualifier(token, timeZone);
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
      return single.whole
        ? { key: single.key, negated: single.negated, values: [single.value], whole: [single.value] }
        : { key: single.key, negated: single.negated, values: [single.value] };
  }
}

// A value given both whole and loose is OR-ed, so the looser form is what it means.
function mergeText(filter: Extract<SearchFilter, { key: TextQualifierKey }>, value: string, whole: boolean): void {
  const present = filter.values.includes(value);
  const wasWhole = filter.whole?.includes(value) ?? false;
  if (!present) {
    filter.values.push(value);
    if (whole) filter.whole = [...(filter.whole ?? []), value];
  } else if (wasWhole && !whole) {
    filter.whole = filter.whole!.filter((v) => v !== value);
    if (filter.whole.length === 0) delete filter.whole;
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
  } else if (isTextFilter(filter) && isTextSingle(single)) mergeText(filter, single.value, single.whole);
  return true;
}

const TEXT_KEYS: readonly string[] = [
  "user",
  "action",
  "resource",
  "request_id",
  "correlation_id",
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

function parse(input: string, timeZone: string): SearchQuery {
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
    const item = interpret(token, timeZone);
    if (item.kind === "nothing") continue;
    if (item.kind === "error") {
      errors.push({ token: showUnsafeText(token.raw), message: item.message });
      continue;
    }
    // Each value of a comma list counts, so the limit bounds the conditions however they are typed.
    const size = item.kind === "filter" ? item.filters.length : 1;
    if (applied + size > MAX_SEARCH_ITEMS) {
      ignored.push(token.raw);
      continue;
    }
    applied += size;
    if (item.kind === "term") {
      if (!terms.some((t) => sameTerm(t, item.term))) terms.push(item.term);
      continue;
    }
    for (const single of item.filters) {
      if (!filters.some((f) => mergeInto(f, single))) filters.push(newFilter(single));
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

export interface SearchOptions {
  /** The reader's zone: `created:` days and times without an offset are read in it. */
  timeZone?: string;
}

export function parseSearchQuery(input: string, { timeZone = DEFAULT_TIME_ZONE }: SearchOptions = {}): SearchQuery {
  // The search bar must never break the page: a bug here degrades to "no filter" plus a message.
  try {
    return parse(typeof input === "string" ? input : "", isTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE);
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

function formatTextValue(key: SearchQualifierKey, value: string, whole: boolean): string {
  if (whole) return quote(value);
  const bare = `${key}:${value}`;
  const [only, ...more] = tokenizeSearchQuery(bare);
  const readsBack = more.length === 0 && only?.kind === "qualifier" && !only.quoted && only.value === value;
  return readsBack ? value : quote(value);
}

// The inverse of parseCreated for every range it produces; other ranges get the closest text.
function formatCreated(range: CreatedRange, timeZone: string): string {
  const from = range.from?.getTime() ?? null;
  const to = range.to?.getTime() ?? null;
  const day = (ms: number) => dayText(ms, timeZone);
  const dayStart = (ms: number) => isStartOfDay(ms, timeZone);
  const instant = (ms: number) => new Date(ms).toISOString();
  // An inclusive start at the start of a day is that day, which a bare date says more simply.
  const startText = (ms: number) => (dayStart(ms) ? day(ms) : instant(ms));
  if (from !== null && to !== null) {
    if (!range.toInclusive && dayStart(to)) {
      const lastDay = previousDayStart(to, timeZone);
      if (from === lastDay) return day(from);
      return `${startText(from)}..${day(lastDay)}`;
    }
    if (from === to) return instant(from);
    return `${startText(from)}..${instant(to)}`;
  }
  if (from !== null) return range.fromInclusive ? `>=${startText(from)}` : `>${instant(from)}`;
  if (to !== null) {
    if (range.toInclusive) return `<=${instant(to)}`;
    return `<${dayStart(to) ? day(to) : instant(to)}`;
  }
  return "*..*";
}

function formatFilterValues(filter: SearchFilter, timeZone: string): string[] {
  switch (filter.key) {
    case "ip":
      return filter.values.map((v) => (v.prefix === null ? v.address : `${v.address}/${v.prefix}`));
    case "created":
      return filter.values.map((v) => formatCreated(v, timeZone));
    case "type":
    case "result":
    case "level":
      return [...filter.values];
    default:
      return filter.values
        .filter((v) => v !== "")
        .map((v) => formatTextValue(filter.key, v, filter.whole?.includes(v) ?? false));
  }
}

// Canonical text: terms first, then qualifiers in their order, one token per value.
export function formatSearchQuery(query: SearchQuery, { timeZone = DEFAULT_TIME_ZONE }: SearchOptions = {}): string {
  const parts = query.terms.filter((t) => t.text !== "").map(formatTerm);
  for (const filter of query.filters) {
    const sign = filter.negated ? "-" : "";
    for (const value of formatFilterValues(filter, timeZone)) parts.push(`${sign}${filter.key}:${value}`);
  }
  return parts.join(" ");
}
