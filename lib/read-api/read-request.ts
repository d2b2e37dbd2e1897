import "server-only";

import type { ParamProblem, RawSearchParams } from "@/lib/audit-log/search-params";
import { parseExplorerParams } from "@/lib/audit-log/search-params";
import { parseSearchQuery } from "@/lib/audit-log/search-language";
import { parseWholeSearch, rawQueryString, type WholeSearch } from "@/lib/audit-log/selection";
import { decodeReadCursor, searchHash, type DecodedReadCursor } from "./read-cursor";

/*
 * The read API's query string, read strictly: the explorer's own parsers and search language
 * (parseExplorerParams, parseWholeSearch), but where the explorer drops an invalid part and shows
 * a note, a program gets 400 naming every bad parameter, so that a typo never widens what it
 * reads. `size` has its own bound (the explorer's page sizes are for people), and `cursor` is the
 * read API's own (read-cursor.ts).
 */

export const DEFAULT_READ_SIZE = 100;
export const MAX_READ_SIZE = 1000;

/** The explorer's filters and order, and the two page params; `entry` (a selection) is not one. */
const SEARCH_PARAMS = ["period", "from", "to", "tz", "type", "user", "result", "q", "sort", "dir", "scope"] as const;
const PAGE_PARAMS = ["size", "cursor"] as const;
export const READ_PARAMS: readonly string[] = [...SEARCH_PARAMS, ...PAGE_PARAMS];

export type ReadMode = "page" | "stream";

export interface ReadRequest {
  /** The search as a query string (no size or cursor), for parseWholeSearch at the snapshot. */
  query: string;
  size: number;
  cursor: DecodedReadCursor | null;
}

export type ReadRequestResult = { ok: true; request: ReadRequest } | { ok: false; problems: ParamProblem[] };

function given(raw: RawSearchParams, name: string): string[] {
  const value = raw[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

const shown = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

function readSize(values: string[], problems: ParamProblem[]): number {
  if (values.length === 0) return DEFAULT_READ_SIZE;
  if (values.length > 1) {
    problems.push({ param: "size", message: "size takes one value." });
    return DEFAULT_READ_SIZE;
  }
  const text = values[0]!.trim();
  const n = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_READ_SIZE)) {
    problems.push({
      param: "size",
      message: `size ${shown(text)}: use a whole number from 1 to ${MAX_READ_SIZE.toLocaleString("en-US")}.`,
    });
    return DEFAULT_READ_SIZE;
  }
  return n;
}

function readCursorParam(values: string[], problems: ParamProblem[]): DecodedReadCursor | null {
  if (values.length === 0) return null;
  const cursor = values.length === 1 ? decodeReadCursor(values[0]!.trim()) : null;
  if (!cursor) {
    problems.push({
      param: "cursor",
      message: "cursor: not a cursor of this API; pass the `next` value of the previous answer as it was.",
    });
  }
  return cursor;
}

/** The query string of a GET /api/v1/audit-events, read for one page (`page`) or a whole search streamed (`stream`). */
export function readReadRequest(search: URLSearchParams, mode: ReadMode, now: Date = new Date()): ReadRequestResult {
  const raw: RawSearchParams = {};
  for (const [key, value] of search) {
    const known = raw[key];
    raw[key] = known === undefined ? value : Array.isArray(known) ? [...known, value] : [known, value];
  }
  const problems: ParamProblem[] = [];
  for (const name of Object.keys(raw)) {
    if (!READ_PARAMS.includes(name)) {
      problems.push({
        param: name,
        message: `Unknown parameter ${shown(name)}: use ${READ_PARAMS.join(", ")}.`,
      });
    }
  }
  let size = DEFAULT_READ_SIZE;
  let cursor: DecodedReadCursor | null = null;
  if (mode === "stream") {
    for (const name of PAGE_PARAMS) {
      if (given(raw, name).length > 0)
        problems.push({
          param: name,
          message: `${name}: not used with Accept: application/x-ndjson, which streams the whole search in one answer.`,
        });
    }
  } else {
    size = readSize(given(raw, "size"), problems);
    cursor = readCursorParam(given(raw, "cursor"), problems);
  }

  const searchRaw: RawSearchParams = Object.fromEntries(SEARCH_PARAMS.map((name) => [name, raw[name]]));
  const explorer = parseExplorerParams(searchRaw, now);
  // The explorer's messages say what it ignored; here nothing is ignored, the request is refused.
  problems.push(...explorer.problems.map((p) => ({ param: p.param, message: p.message.replace(/^Ignored /, "") })));
  const language = parseSearchQuery(explorer.params.q, { timeZone: explorer.params.tz });
  for (const error of language.errors) {
    problems.push({ param: "q", message: `q: ${error.token ? `${shown(error.token)}: ` : ""}${error.message}` });
  }

  const query = rawQueryString(searchRaw);
  if (cursor) {
    const whole: WholeSearch = parseWholeSearch(query, cursor.snapshotAt);
    if (
      cursor.sort !== whole.params.sort ||
      cursor.dir !== whole.params.dir ||
      cursor.searchHash !== searchHash(whole.canonical)
    ) {
      problems.push({
        param: "cursor",
        message: "cursor: it belongs to another search; send the same search parameters as for the first page.",
      });
    } else if (cursor.snapshotAt.getTime() > now.getTime()) {
      problems.push({ param: "cursor", message: "cursor: not a cursor of this API (its snapshot is in the future)." });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, request: { query, size, cursor } };
}
