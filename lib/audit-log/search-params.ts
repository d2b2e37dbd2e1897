import {
  createParser,
  createSerializer,
  parseAsArrayOf,
  parseAsStringLiteral,
  type inferParserType,
} from "nuqs/server";
import { auditCategory, auditResult, type AuditCategory, type AuditResult } from "@/db/schema/enums";
import { isSafeText, showUnsafeText } from "@/lib/validation/safe-text";
import { decodeCursor, MAX_CURSOR_LENGTH, type CursorPayload } from "./cursor";
import { DATE_FORMAT_HINT, dayAround, DEFAULT_TIME_ZONE, endAfter, instantOf, isTimeZone, readDateText } from "./dates";

/*
 * The explorer's URL search params: one set of nuqs parsers, used on the server (the page, exports,
 * the API) and in the client (query states), and one serializer for every explorer URL the console
 * writes. A thin layer around the parsers names each invalid part (`problems`) while the rest
 * still applies; parsing never throws, whatever the URL says. Enum values come from the drizzle
 * schema. Pure: client components import it too.
 */

export const PERIODS = ["15m", "1h", "24h", "today", "7d", "30d", "custom"] as const;
export type Period = (typeof PERIODS)[number];

export const SORT_KEYS = ["time", "user", "type", "action", "target", "result"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const SORT_DIRECTIONS = ["asc", "desc"] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export type PageSize = (typeof PAGE_SIZES)[number];

/** live: the audit log; archive: entries past retention that the organization keeps. */
export const SCOPES = ["live", "archive"] as const;
export type Scope = (typeof SCOPES)[number];

export { DEFAULT_TIME_ZONE, isTimeZone };
export const MAX_QUERY_PARAM_LENGTH = 4096;
const MAX_USER_LENGTH = 320;
const MAX_DATE_LENGTH = 64;

/* ------------------------------------------------------------------------------------------ */
/* The parsers                                                                                  */
/* ------------------------------------------------------------------------------------------ */

const UUID_LOOSE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const text = (max: number) =>
  createParser({
    parse: (v: string) => (v.length <= max ? v : null),
    serialize: (v: string) => v,
  });

// A date or date-time as given (the calendar check needs the zone, so it runs in the layer below).
// A `+` of an offset that arrived as a space is written back, so the links we build read the same.
const dateText = createParser({
  parse: (v: string) => {
    if (v.length > MAX_DATE_LENGTH) return null;
    const read = readDateText(v);
    if (!read.ok && read.reason === DATE_FORMAT_HINT) return null;
    return v.replace(/([Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$/, "$1+$2");
  },
  serialize: (v: string) => v,
});

const timeZone = createParser({
  parse: (v: string) => (isTimeZone(v) ? v : null),
  serialize: (v: string) => v,
});

const pageSize = createParser<PageSize>({
  parse: (v: string) => PAGE_SIZES.find((size) => String(size) === v) ?? null,
  serialize: (v) => String(v),
});

const entryId = createParser({
  parse: (v: string) => (UUID_LOOSE.test(v) ? v.toLowerCase() : null),
  serialize: (v: string) => v,
});

const EXPLORER_DEFAULTS = {
  period: "7d",
  sort: "time",
  dir: "desc",
  size: 50,
  scope: "live",
} as const;

/** In URL order: the serializer writes keys in this order, so equal params give equal URLs. */
export const explorerParsers = {
  period: parseAsStringLiteral(PERIODS).withDefault(EXPLORER_DEFAULTS.period),
  from: dateText,
  to: dateText,
  // No fixed default: without tz= the reader's own zone applies (parseExplorerParams' readerTz).
  tz: timeZone,
  type: parseAsArrayOf(parseAsStringLiteral(auditCategory.enumValues)).withDefault([]),
  user: text(MAX_USER_LENGTH),
  result: parseAsArrayOf(parseAsStringLiteral(auditResult.enumValues)).withDefault([]),
  q: text(MAX_QUERY_PARAM_LENGTH).withDefault(""),
  sort: parseAsStringLiteral(SORT_KEYS).withDefault(EXPLORER_DEFAULTS.sort),
  dir: parseAsStringLiteral(SORT_DIRECTIONS).withDefault(EXPLORER_DEFAULTS.dir),
  size: pageSize.withDefault(EXPLORER_DEFAULTS.size),
  scope: parseAsStringLiteral(SCOPES).withDefault(EXPLORER_DEFAULTS.scope),
  entry: entryId,
  cursor: text(MAX_CURSOR_LENGTH),
};

type ParserValues = inferParserType<typeof explorerParsers>;
type ParamName = keyof typeof explorerParsers;
const PARAM_NAMES = Object.keys(explorerParsers) as ParamName[];

/* ------------------------------------------------------------------------------------------ */
/* The parsed params                                                                            */
/* ------------------------------------------------------------------------------------------ */

export interface ExplorerParams {
  period: Period;
  /** As given (trimmed), only with period=custom: a date or a date-time. */
  from: string | null;
  to: string | null;
  /**
   * IANA zone for day bounds ("today", custom dates, date-times without an offset, `created:`) and
   * for every time the page shows: the link's `tz=`, else the reader's zone.
   */
  tz: string;
  /** The reader's own zone: links leave `tz` out where it is this one and no day bound needs it. */
  readerTz: string;
  /** Category codes, in the enum's order; empty means all. */
  type: AuditCategory[];
  /** An actor's user id, or an email (lower-cased). */
  user: string | null;
  /** Result codes, in the enum's order; empty means all. */
  result: AuditResult[];
  /** Search text, as typed; the search language reads it. */
  q: string;
  sort: SortKey;
  dir: SortDirection;
  size: PageSize;
  /** A cursor that fits this sort and direction, or null for the first page. */
  cursor: string | null;
  /** Entry to select (deep link), a lower-cased UUID. */
  entry: string | null;
  scope: Scope;
  /**
   * The period resolved against `now`: occurred_at >= from and < to, ISO instants, null = open.
   * Derived, never serialized: a link carries the period, not its instants.
   */
  range: { from: string | null; to: string | null };
}

export type ExplorerParamsInput = Omit<ExplorerParams, "range" | "readerTz"> & { readerTz?: string };

export interface ParamProblem {
  param: string;
  message: string;
}

export type RawSearchParams = Record<string, string | string[] | undefined>;

/* ------------------------------------------------------------------------------------------ */
/* Problems: today's per-parameter messages around the parsers                                  */
/* ------------------------------------------------------------------------------------------ */

function listText(values: readonly (string | number)[], last = "or"): string {
  if (values.length <= 1) return values.join("");
  return `${values.slice(0, -1).join(", ")} ${last} ${values[values.length - 1]}`;
}

// Long or odd input is shown shortened, never echoed whole into the page.
// Control characters and lone surrogates are written as \uXXXX, never put into the page as they are.
function shown(value: string): string {
  const chars = [...value];
  return showUnsafeText(chars.length > 40 ? `${chars.slice(0, 40).join("")}…` : value);
}

// Text PostgreSQL cannot take (a NUL, a lone surrogate) would fail the page's query: never applied.
const UNSAFE_WHY = "it contains a NUL character or an unpaired surrogate";

const WHY: Record<Exclude<ParamName, "type" | "result">, string> = {
  period: `use ${listText(PERIODS)}`,
  from: "not a date (use YYYY-MM-DD or an ISO date-time)",
  to: "not a date (use YYYY-MM-DD or an ISO date-time)",
  tz: "not a time zone; your own time zone is used",
  user: "too long for a user id or email",
  q: `longer than ${MAX_QUERY_PARAM_LENGTH.toLocaleString("en-US")} characters`,
  sort: `use ${listText(SORT_KEYS)}`,
  dir: "use asc or desc",
  size: `use ${listText(PAGE_SIZES)}`,
  cursor: "not a page position; showing the first page",
  entry: "not an entry id",
  scope: `use ${listText(SCOPES)}`,
};

const LIST_WHY = {
  type: "not a category",
  result: `not a result (use ${listText(auditResult.enumValues)})`,
} as const;

function problem(param: string, value: string | null, why: string): ParamProblem {
  const what = value === null ? param : `${param} "${shown(value)}"`;
  return { param, message: `Ignored ${what}: ${why}.` };
}

function values(raw: string | string[] | undefined): string[] {
  return (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .filter((v): v is string => typeof v === "string")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/**
 * The URL as the parsers read it: one value per single param (the first non-empty; later ones are
 * named as ignored), list params joined with commas (`type=auth&type=vpn` is `type=auth,vpn`),
 * each unknown list item named and dropped.
 */
function normalise(raw: RawSearchParams, problems: ParamProblem[]): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of PARAM_NAMES) {
    const given = values(raw[name]);
    if (name === "type" || name === "result") {
      const item =
        name === "type" ? parseAsStringLiteral(auditCategory.enumValues) : parseAsStringLiteral(auditResult.enumValues);
      const items = given
        .flatMap((v) => v.split(","))
        .map((v) => v.trim())
        .filter((v) => v !== "");
      for (const bad of items.filter((v) => item.parse(v) === null)) problems.push(problem(name, bad, LIST_WHY[name]));
      if (items.length > 0) query.set(name, items.join(","));
      continue;
    }
    const [first, ...rest] = given;
    if (rest.length > 0) problems.push(problem(name, rest.join(", "), `${name} takes one value; the first was used`));
    if (first === undefined) continue;
    if (!isSafeText(first)) {
      problems.push(problem(name, name === "cursor" ? null : first, UNSAFE_WHY));
      continue;
    }
    if (explorerParsers[name].parse(first) === null) {
      problems.push(
        problem(name, name === "cursor" ? null : first, WHY[name as Exclude<ParamName, "type" | "result">]),
      );
      continue;
    }
    query.set(name, first);
  }
  return query;
}

function parseWithParsers(query: URLSearchParams): ParserValues {
  const out: Record<string, unknown> = {};
  for (const name of PARAM_NAMES) {
    const parser = explorerParsers[name];
    const value = query.get(name);
    out[name] =
      (value === null ? null : parser.parse(value)) ?? ("defaultValue" in parser ? parser.defaultValue : null);
  }
  return out as ParserValues;
}

/* ------------------------------------------------------------------------------------------ */
/* Cross-param rules                                                                            */
/* ------------------------------------------------------------------------------------------ */

function cursorFits(cursor: CursorPayload, sort: SortKey, dir: SortDirection): boolean {
  if (cursor.s !== sort || cursor.o !== dir) return false;
  switch (sort) {
    case "time":
      return cursor.k === null;
    case "type":
      return cursor.k !== null && (auditCategory.enumValues as readonly string[]).includes(cursor.k);
    case "result":
      return cursor.k !== null && (auditResult.enumValues as readonly string[]).includes(cursor.k);
    default:
      return cursor.k !== null;
  }
}

/** The cursor's payload when it fits the params' sort and direction; null otherwise. */
export function readCursor(params: Pick<ExplorerParams, "cursor" | "sort" | "dir">): CursorPayload | null {
  if (params.cursor === null) return null;
  const payload = decodeCursor(params.cursor);
  return payload && cursorFits(payload, params.sort, params.dir) ? payload : null;
}

function dateBound(value: string) {
  const read = readDateText(value);
  return read.ok ? read.value : null;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function resolveRange(params: ExplorerParamsInput, now: Date): ExplorerParams["range"] {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const nowMs = now.getTime();
  switch (params.period) {
    case "today": {
      const day = dayAround(nowMs, params.tz);
      return { from: iso(day.from), to: iso(day.to) };
    }
    // Rolling windows with no upper bound: an entry stamped slightly ahead by a client's clock
    // still shows on top instead of vanishing.
    case "15m":
      return { from: iso(nowMs - 15 * MINUTE_MS), to: null };
    case "1h":
      return { from: iso(nowMs - 60 * MINUTE_MS), to: null };
    case "24h":
      return { from: iso(nowMs - DAY_MS), to: null };
    case "7d":
      return { from: iso(nowMs - 7 * DAY_MS), to: null };
    case "30d":
      return { from: iso(nowMs - 30 * DAY_MS), to: null };
    case "custom": {
      const from = params.from === null ? null : dateBound(params.from);
      const to = params.to === null ? null : dateBound(params.to);
      return {
        from: iso(from ? instantOf(from, params.tz) : null),
        to: iso(to ? endAfter(to, params.tz) : null),
      };
    }
  }
}

function parseUnsafe(
  raw: RawSearchParams,
  now: Date,
  readerTz: string,
): { params: ExplorerParams; problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  const given = normalise(raw, problems);
  const parsed = parseWithParsers(given);
  const tz = parsed.tz ?? readerTz;
  let { from, to } = parsed;
  // The grammar admits Feb 30 and hour 99; the calendar check names them.
  if (from !== null && !dateBound(from)) {
    problems.push(problem("from", from, "not a calendar date"));
    from = null;
  }
  if (to !== null && !dateBound(to)) {
    problems.push(problem("to", to, "not a calendar date"));
    to = null;
  }
  // Dates alone mean a custom period; with another period named they have nothing to bound.
  const period: Period = given.has("period")
    ? parsed.period
    : !values(raw.period).length && (from !== null || to !== null)
      ? "custom"
      : parsed.period;
  if (period !== "custom") {
    if (from !== null) problems.push(problem("from", from, "only used with period=custom"));
    if (to !== null) problems.push(problem("to", to, "only used with period=custom"));
    from = null;
    to = null;
  } else if (from !== null && to !== null) {
    if (endAfter(dateBound(to)!, tz) <= instantOf(dateBound(from)!, tz)) {
      problems.push(problem("to", to, "it is before from"));
      to = null;
    }
  }
  let cursor = parsed.cursor;
  if (cursor !== null && !readCursor({ cursor, sort: parsed.sort, dir: parsed.dir })) {
    problems.push(problem("cursor", null, WHY.cursor));
    cursor = null;
  }
  const input: ExplorerParamsInput = {
    ...parsed,
    tz,
    readerTz,
    period,
    from,
    to,
    // The enum's order, so equivalent URLs serialize the same.
    type: auditCategory.enumValues.filter((v) => parsed.type.includes(v)),
    result: auditResult.enumValues.filter((v) => parsed.result.includes(v)),
    // Emails are stored and compared lower-cased; ids are compared exactly.
    user: parsed.user === null ? null : parsed.user.includes("@") ? parsed.user.toLowerCase() : parsed.user,
    cursor,
  };
  return { params: { ...input, readerTz, range: resolveRange(input, now) }, problems };
}

function safeRecord(raw: unknown): RawSearchParams {
  if (typeof raw !== "object" || raw === null) return {};
  const record: RawSearchParams = {};
  for (const name of PARAM_NAMES) {
    const value: unknown = Object.prototype.hasOwnProperty.call(raw, name)
      ? (raw as Record<string, unknown>)[name]
      : undefined;
    if (typeof value === "string") record[name] = value;
    else if (Array.isArray(value)) record[name] = value.filter((v): v is string => typeof v === "string");
  }
  return record;
}

/**
 * Reads the page's search params. Never throws: each invalid part is dropped, its default used,
 * and a problem naming it returned for the page to show. `now` fixes the rolling periods;
 * `readerTz` is the zone that applies when the link names none (the API and rules: UTC).
 */
export function parseExplorerParams(
  raw: RawSearchParams,
  now: Date = new Date(),
  readerTz: string = DEFAULT_TIME_ZONE,
): { params: ExplorerParams; problems: ParamProblem[] } {
  const at = Number.isFinite(now.getTime()) ? now : new Date();
  const zone = isTimeZone(readerTz) ? readerTz : DEFAULT_TIME_ZONE;
  try {
    return parseUnsafe(safeRecord(raw), at, zone);
  } catch {
    // Only a bug gets here; the page still renders, with the defaults and a note.
    const fallback = parseUnsafe({}, at, zone);
    return {
      params: fallback.params,
      problems: [{ param: "", message: "Ignored the filters in the address: they could not be read." }],
    };
  }
}

/** The params of a plain visit to the explorer. */
export function defaultExplorerParams(now: Date = new Date(), readerTz: string = DEFAULT_TIME_ZONE): ExplorerParams {
  return parseExplorerParams({}, now, readerTz).params;
}

/* ------------------------------------------------------------------------------------------ */
/* Serializing                                                                                  */
/* ------------------------------------------------------------------------------------------ */

export type ExplorerParamsOverrides = Partial<ExplorerParamsInput>;

const serialize = createSerializer(explorerParsers);

/** The filter panel's own filters back at their defaults (the search text and scope are apart). */
export const PANEL_FILTERS_CLEARED = {
  period: "7d",
  from: null,
  to: null,
  type: [],
  user: null,
  result: [],
} as const satisfies ExplorerParamsOverrides;

// Day bounds read in a zone: a link that has them keeps its zone, so it means the same days to
// whoever opens it. Elsewhere the reader's own zone is the default and is left out.
function zoneToWrite(p: ExplorerParamsInput): string | null {
  const tz = p.tz || DEFAULT_TIME_ZONE;
  const readerTz = p.readerTz ?? DEFAULT_TIME_ZONE;
  const daysInZone = p.period === "custom" || p.period === "today" || /(^|[\s(-])created:/i.test(p.q);
  return daysInZone || tz !== readerTz ? tz : null;
}

/** The values to write: a position in one listing means nothing in another. */
function valuesToWrite(params: ExplorerParamsInput, overrides: ExplorerParamsOverrides): ParserValues {
  const changesListing = Object.keys(overrides).some((key) => key !== "cursor" && key !== "entry");
  const p: ExplorerParamsInput = { ...params, ...overrides };
  const custom = p.period === "custom";
  return {
    period: p.period,
    from: custom ? p.from || null : null,
    to: custom ? p.to || null : null,
    tz: zoneToWrite(p),
    type: p.type,
    user: p.user || null,
    result: p.result,
    q: p.q.trim() === "" ? "" : p.q,
    sort: p.sort,
    dir: p.dir,
    size: p.size,
    scope: p.scope,
    entry: p.entry || null,
    cursor: changesListing && !("cursor" in overrides) ? null : p.cursor || null,
  };
}

/**
 * `pathname?query` for a link (just the pathname when every param is a default), in a fixed order.
 * Overriding anything but `cursor` or `entry` returns to the first page (the cursor is dropped
 * unless the overrides set one). `entry` is kept: pass `entry: null` to close the details.
 */
export function explorerHref(
  pathname: string,
  params: ExplorerParamsInput,
  overrides: ExplorerParamsOverrides = {},
): string {
  return serialize(pathname, valuesToWrite(params, overrides));
}

/** The same as URL search params. */
export function serializeExplorerParams(
  params: ExplorerParamsInput,
  overrides: ExplorerParamsOverrides = {},
): URLSearchParams {
  return new URLSearchParams(serialize(valuesToWrite(params, overrides)));
}
