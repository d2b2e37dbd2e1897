import { z } from "zod";
import { auditCategory, auditResult, type AuditCategory, type AuditResult } from "@/db/schema/enums";
import { decodeCursor, MAX_CURSOR_LENGTH, type CursorPayload } from "./cursor";

/*
 * The explorer's URL search params: one zod schema, read part by part so that a bad part is
 * dropped (and named in `problems`) while the rest still applies. Parsing never throws, whatever
 * the URL says. Pure: the filter panel and links on the client import it too.
 */

export const PERIODS = ["today", "7d", "30d", "custom"] as const;
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

export const DEFAULT_TIME_ZONE = "UTC";
export const MAX_QUERY_PARAM_LENGTH = 4096;
const MAX_USER_LENGTH = 320;

export interface ExplorerParams {
  period: Period;
  /** As given (trimmed), only with period=custom: a date or a date-time. */
  from: string | null;
  to: string | null;
  /** IANA zone for day bounds ("today", custom dates, date-times without an offset). */
  tz: string;
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

export type ExplorerParamsInput = Omit<ExplorerParams, "range">;

export interface ParamProblem {
  param: string;
  message: string;
}

export type RawSearchParams = Record<string, string | string[] | undefined>;

export const EXPLORER_DEFAULTS = {
  period: "7d",
  tz: DEFAULT_TIME_ZONE,
  sort: "time",
  dir: "desc",
  size: 50,
  scope: "live",
} as const satisfies Partial<ExplorerParamsInput>;

/* ------------------------------------------------------------------------------------------ */
/* Dates and time zones                                                                         */
/* ------------------------------------------------------------------------------------------ */

const DAY_MS = 86_400_000;

// Date, or date-time with an optional offset. A `+` in a URL that was not encoded arrives as a
// space, so a space before the offset stands for `+`.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+\- ])(\d{2}):?(\d{2}))?)?$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  const known = formatters.get(timeZone);
  if (known) return known;
  try {
    const formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    if (formatters.size < 64) formatters.set(timeZone, formatter);
    return formatter;
  } catch {
    return null;
  }
}

export function isTimeZone(value: string): boolean {
  return formatterFor(value) !== null;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallTimeAt(ms: number, timeZone: string): WallTime {
  const formatter = formatterFor(timeZone) ?? formatterFor(DEFAULT_TIME_ZONE)!;
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(ms))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

function zoneOffsetMs(ms: number, timeZone: string): number {
  const w = wallTimeAt(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

// The instant a wall-clock time has in the zone. In a DST gap the later offset wins; in an
// overlap, the first occurrence.
function zonedInstant(
  year: number,
  month: number,
  day: number,
  h: number,
  mi: number,
  s: number,
  msPart: number,
  timeZone: string,
): number {
  const wall = Date.UTC(year, month - 1, day, h, mi, s, msPart);
  const first = wall - zoneOffsetMs(wall, timeZone);
  const second = wall - zoneOffsetMs(first, timeZone);
  return Math.min(first, second);
}

function startOfDay(year: number, month: number, day: number, timeZone: string): number {
  return zonedInstant(year, month, day, 0, 0, 0, 0, timeZone);
}

function nextDay(year: number, month: number, day: number): [number, number, number] {
  const d = new Date(Date.UTC(year, month - 1, day) + DAY_MS);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

interface ParsedBound {
  /** The instant the text names; for a bare date, the start of that day. */
  ms: number;
  dateOnly: boolean;
  year: number;
  month: number;
  day: number;
}

function parseDateParam(text: string, timeZone: string): ParsedBound | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [, y = "", mo = "", d = "", h, mi, s, fraction, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1000 || month < 1 || month > 12 || day < 1) return null;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > lastDay) return null;
  if (h === undefined) return { ms: startOfDay(year, month, day, timeZone), dateOnly: true, year, month, day };
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s ?? "0");
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = Number((fraction ?? "").slice(0, 3).padEnd(3, "0"));
  let ms: number;
  if (zulu !== undefined || sign !== undefined) {
    const offsetHours = Number(oh ?? "0");
    const offsetMinutes = Number(om ?? "0");
    if (offsetHours > 23 || offsetMinutes > 59) return null;
    const offset = (sign === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
    ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset;
  } else {
    ms = zonedInstant(year, month, day, hour, minute, second, millis, timeZone);
  }
  return Number.isFinite(ms) ? { ms, dateOnly: false, year, month, day } : null;
}

// Exclusive end: a bare date includes its whole day; a date-time includes that millisecond.
function exclusiveEnd(bound: ParsedBound, timeZone: string): number {
  if (!bound.dateOnly) return bound.ms + 1;
  const [y, m, d] = nextDay(bound.year, bound.month, bound.day);
  return startOfDay(y, m, d, timeZone);
}

function resolveRange(params: ExplorerParamsInput, now: Date): ExplorerParams["range"] {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const nowMs = now.getTime();
  switch (params.period) {
    case "today": {
      const w = wallTimeAt(nowMs, params.tz);
      const [y, m, d] = nextDay(w.year, w.month, w.day);
      return { from: iso(startOfDay(w.year, w.month, w.day, params.tz)), to: iso(startOfDay(y, m, d, params.tz)) };
    }
    // Rolling windows with no upper bound: an entry stamped slightly ahead by a client's clock
    // still shows on top instead of vanishing.
    case "7d":
      return { from: iso(nowMs - 7 * DAY_MS), to: null };
    case "30d":
      return { from: iso(nowMs - 30 * DAY_MS), to: null };
    case "custom": {
      const from = params.from === null ? null : parseDateParam(params.from, params.tz);
      const to = params.to === null ? null : parseDateParam(params.to, params.tz);
      return { from: iso(from?.ms ?? null), to: iso(to ? exclusiveEnd(to, params.tz) : null) };
    }
  }
}

/* ------------------------------------------------------------------------------------------ */
/* The schema                                                                                   */
/* ------------------------------------------------------------------------------------------ */

const UUID_LOOSE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Each param's own rule. Cross-param rules (custom range, cursor fit) come after. */
export const explorerParamsSchema = z.object({
  period: z.enum(PERIODS),
  from: z.string().max(64).regex(DATE_TIME),
  to: z.string().max(64).regex(DATE_TIME),
  tz: z.string().max(64).refine(isTimeZone),
  type: z.array(z.enum(auditCategory.enumValues)),
  user: z.string().max(MAX_USER_LENGTH),
  result: z.array(z.enum(auditResult.enumValues)),
  q: z.string().max(MAX_QUERY_PARAM_LENGTH),
  sort: z.enum(SORT_KEYS),
  dir: z.enum(SORT_DIRECTIONS),
  size: z
    .string()
    .regex(/^(?:25|50|100|200)$/)
    .transform((v) => Number(v) as PageSize),
  cursor: z.string().max(MAX_CURSOR_LENGTH),
  entry: z
    .string()
    .regex(UUID_LOOSE)
    .transform((v) => v.toLowerCase()),
  scope: z.enum(SCOPES),
});

type SchemaShape = typeof explorerParamsSchema.shape;
type ParamName = keyof SchemaShape;
const PARAM_NAMES = Object.keys(explorerParamsSchema.shape) as ParamName[];
const LIST_PARAMS: ReadonlySet<ParamName> = new Set(["type", "result"]);

function listText(values: readonly (string | number)[], last = "or"): string {
  if (values.length <= 1) return values.join("");
  return `${values.slice(0, -1).join(", ")} ${last} ${values[values.length - 1]}`;
}

// Long or odd input is shown shortened, never echoed whole into the page.
function shown(value: string): string {
  const chars = [...value];
  return chars.length > 40 ? `${chars.slice(0, 40).join("")}…` : value;
}

const WHY: Record<Exclude<ParamName, "type" | "result">, string> = {
  period: `use ${listText(PERIODS)}`,
  from: "not a date (use YYYY-MM-DD or an ISO date-time)",
  to: "not a date (use YYYY-MM-DD or an ISO date-time)",
  tz: "not a time zone; times are shown in UTC",
  user: "too long for a user id or email",
  q: `longer than ${MAX_QUERY_PARAM_LENGTH.toLocaleString("en-US")} characters`,
  sort: `use ${listText(SORT_KEYS)}`,
  dir: "use asc or desc",
  size: `use ${listText(PAGE_SIZES)}`,
  cursor: "not a page position; showing the first page",
  entry: "not an entry id",
  scope: `use ${listText(SCOPES)}`,
};

function problem(param: string, value: string | null, why: string): ParamProblem {
  const what = value === null ? param : `${param} "${shown(value)}"`;
  return { param, message: `Ignored ${what}: ${why}.` };
}

// First non-empty value of a single-valued param; later ones are reported as ignored.
function single(name: ParamName, raw: string | string[] | undefined, problems: ParamProblem[]): string | undefined {
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .filter((v): v is string => typeof v === "string")
    .map((v) => v.trim())
    .filter((v) => v !== "");
  const [first, ...rest] = values;
  if (rest.length > 0) problems.push(problem(name, rest.join(", "), `${name} takes one value; the first was used`));
  return first;
}

// Comma lists, also repeated (`type=auth&type=vpn`). Unknown items drop one by one.
function list<T extends string>(
  name: "type" | "result",
  raw: string | string[] | undefined,
  allowed: readonly T[],
  why: string,
  problems: ParamProblem[],
): T[] {
  const items = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .filter((v): v is string => typeof v === "string")
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
  const element = explorerParamsSchema.shape[name].element;
  const picked = new Set<string>();
  for (const item of items) {
    const parsed = element.safeParse(item);
    if (parsed.success) picked.add(parsed.data);
    else problems.push(problem(name, item, why));
  }
  // The enum's order, so equivalent URLs serialize the same.
  return allowed.filter((v) => picked.has(v));
}

function fieldValue<K extends Exclude<ParamName, "type" | "result">>(
  name: K,
  text: string | undefined,
  problems: ParamProblem[],
): z.output<SchemaShape[K]> | undefined {
  if (text === undefined) return undefined;
  const parsed = explorerParamsSchema.shape[name].safeParse(text);
  if (parsed.success) return parsed.data as z.output<SchemaShape[K]>;
  problems.push(problem(name, name === "cursor" ? null : text, WHY[name]));
  return undefined;
}

// Writes back the `+` of an offset that arrived as a space, so the link we build reads the same.
function plusOffset(value: string | null): string | null {
  return value === null ? null : value.replace(/([Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$/, "$1+$2");
}

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

function parseUnsafe(raw: RawSearchParams, now: Date): { params: ExplorerParams; problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  const text = Object.fromEntries(
    PARAM_NAMES.filter((name) => !LIST_PARAMS.has(name)).map((name) => [name, single(name, raw[name], problems)]),
  ) as Partial<Record<ParamName, string>>;

  const periodGiven = fieldValue("period", text.period, problems);
  const tz = fieldValue("tz", text.tz, problems) ?? DEFAULT_TIME_ZONE;
  let from = plusOffset(fieldValue("from", text.from, problems) ?? null);
  let to = plusOffset(fieldValue("to", text.to, problems) ?? null);
  // The regex admits Feb 30 and hour 99; the calendar check needs the zone.
  if (from !== null && !parseDateParam(from, tz)) {
    problems.push(problem("from", from, "not a calendar date"));
    from = null;
  }
  if (to !== null && !parseDateParam(to, tz)) {
    problems.push(problem("to", to, "not a calendar date"));
    to = null;
  }
  // Dates alone mean a custom period; with another period named they have nothing to bound.
  const period: Period =
    periodGiven ?? (text.period === undefined && (from !== null || to !== null) ? "custom" : EXPLORER_DEFAULTS.period);
  if (period !== "custom") {
    if (from !== null) problems.push(problem("from", from, "only used with period=custom"));
    if (to !== null) problems.push(problem("to", to, "only used with period=custom"));
    from = null;
    to = null;
  } else if (from !== null && to !== null) {
    const start = parseDateParam(from, tz)!;
    const end = parseDateParam(to, tz)!;
    if (exclusiveEnd(end, tz) <= start.ms) {
      problems.push(problem("to", to, "it is before from"));
      to = null;
    }
  }

  const userText = fieldValue("user", text.user, problems) ?? null;
  const sort = fieldValue("sort", text.sort, problems) ?? EXPLORER_DEFAULTS.sort;
  const dir = fieldValue("dir", text.dir, problems) ?? EXPLORER_DEFAULTS.dir;
  let cursor = fieldValue("cursor", text.cursor, problems) ?? null;
  if (cursor !== null && !readCursor({ cursor, sort, dir })) {
    problems.push(problem("cursor", null, WHY.cursor));
    cursor = null;
  }

  const input: ExplorerParamsInput = {
    period,
    from,
    to,
    tz,
    type: list("type", raw.type, auditCategory.enumValues, "not a category", problems),
    // Emails are stored and compared lower-cased; ids are compared exactly.
    user: userText === null ? null : userText.includes("@") ? userText.toLowerCase() : userText,
    result: list(
      "result",
      raw.result,
      auditResult.enumValues,
      `not a result (use ${listText(auditResult.enumValues)})`,
      problems,
    ),
    q: fieldValue("q", text.q, problems) ?? "",
    sort,
    dir,
    size: fieldValue("size", text.size, problems) ?? EXPLORER_DEFAULTS.size,
    cursor,
    entry: fieldValue("entry", text.entry, problems) ?? null,
    scope: fieldValue("scope", text.scope, problems) ?? EXPLORER_DEFAULTS.scope,
  };
  return { params: { ...input, range: resolveRange(input, now) }, problems };
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
 * and a problem naming it returned for the page to show. `now` fixes the rolling periods.
 */
export function parseExplorerParams(
  raw: RawSearchParams,
  now: Date = new Date(),
): { params: ExplorerParams; problems: ParamProblem[] } {
  const at = Number.isFinite(now.getTime()) ? now : new Date();
  try {
    return parseUnsafe(safeRecord(raw), at);
  } catch {
    // Only a bug gets here; the page still renders, with the defaults and a note.
    const fallback = parseUnsafe({}, at);
    return {
      params: fallback.params,
      problems: [{ param: "", message: "Ignored the filters in the address: they could not be read." }],
    };
  }
}

/** The params of a plain visit to the explorer. */
export function defaultExplorerParams(now: Date = new Date()): ExplorerParams {
  return parseExplorerParams({}, now).params;
}

/* ------------------------------------------------------------------------------------------ */
/* Serializing                                                                                  */
/* ------------------------------------------------------------------------------------------ */

export type ExplorerParamsOverrides = Partial<ExplorerParamsInput>;

/**
 * URL search params for the explorer, defaults omitted, in a fixed order. Overriding anything but
 * `cursor` or `entry` returns to the first page (the cursor is dropped unless the overrides set
 * one), since a position in one listing means nothing in another. `entry` is kept: pass
 * `entry: null` to close the details.
 */
export function serializeExplorerParams(
  params: ExplorerParamsInput,
  overrides: ExplorerParamsOverrides = {},
): URLSearchParams {
  const changesListing = Object.keys(overrides).some((key) => key !== "cursor" && key !== "entry");
  const p: ExplorerParamsInput = { ...params, ...overrides };
  if (changesListing && !("cursor" in overrides)) p.cursor = null;
  const out = new URLSearchParams();
  if (p.period !== EXPLORER_DEFAULTS.period) out.set("period", p.period);
  if (p.period === "custom") {
    if (p.from) out.set("from", p.from);
    if (p.to) out.set("to", p.to);
  }
  if (p.tz && p.tz !== EXPLORER_DEFAULTS.tz) out.set("tz", p.tz);
  if (p.type.length > 0) out.set("type", p.type.join(","));
  if (p.user) out.set("user", p.user);
  if (p.result.length > 0) out.set("result", p.result.join(","));
  if (p.q.trim() !== "") out.set("q", p.q);
  if (p.sort !== EXPLORER_DEFAULTS.sort) out.set("sort", p.sort);
  if (p.dir !== EXPLORER_DEFAULTS.dir) out.set("dir", p.dir);
  if (p.size !== EXPLORER_DEFAULTS.size) out.set("size", String(p.size));
  if (p.scope !== EXPLORER_DEFAULTS.scope) out.set("scope", p.scope);
  if (p.entry) out.set("entry", p.entry);
  if (p.cursor) out.set("cursor", p.cursor);
  return out;
}

/** `pathname?query` for a link (just the pathname when every param is a default). */
export function explorerHref(
  pathname: string,
  params: ExplorerParamsInput,
  overrides: ExplorerParamsOverrides = {},
): string {
  const query = serializeExplorerParams(params, overrides).toString();
  return query === "" ? pathname : `${pathname}?${query}`;
}
