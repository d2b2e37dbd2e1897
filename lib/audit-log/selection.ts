import { parseSearchQuery, type SearchQuery } from "./search-language";
import {
  parseExplorerParams,
  serializeExplorerParams,
  type ExplorerParams,
  type ParamProblem,
  type RawSearchParams,
} from "./search-params";

/*
 * "The current search": what every reader of the audit log (the explorer, exports, and later
 * notifications, insights and integrity) is given. The params are read once from the URL, the
 * search language parsed once, and this object flows to the query builders. Pure: it holds no
 * database handle, so client code may build one too.
 */
export interface AuditSelection {
  orgId: string;
  params: ExplorerParams;
  search: SearchQuery;
  /** Entries received after this instant are left out, so a count and a file agree. */
  snapshotAt?: Date | null;
}

/** `?a=1&b=2` (with or without the `?`) as a page receives it: repeated keys become lists. */
export function rawSearchParams(query: string | URLSearchParams): RawSearchParams {
  const raw: RawSearchParams = {};
  const entries = typeof query === "string" ? new URLSearchParams(query.replace(/^\?/, "")) : query;
  for (const [key, value] of entries) {
    const known = raw[key];
    raw[key] = known === undefined ? value : Array.isArray(known) ? [...known, value] : [known, value];
  }
  return raw;
}

/** The inverse of rawSearchParams: a page's raw params back into a query string, as given. */
export function rawQueryString(raw: RawSearchParams): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(raw)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) query.append(key, v);
  }
  return query.toString();
}

/**
 * Reads a selection from URL params the way the explorer page does (invalid parts dropped);
 * `readerTz` is the zone of the person reading (lib/preferences/reader-time-zone).
 */
export function selectionFromParams(
  orgId: string,
  raw: RawSearchParams,
  now?: Date,
  readerTz?: string,
): { selection: AuditSelection; problems: ParamProblem[] } {
  const { params, problems } = parseExplorerParams(raw, now, readerTz);
  return { selection: { orgId, params, search: parseSearchQuery(params.q, { timeZone: params.tz }) }, problems };
}

export interface WholeSearch {
  params: ExplorerParams;
  search: SearchQuery;
  /** The params as the explorer writes them, without page position or selection. */
  canonical: string;
}

/**
 * A search given as a query string (an export, a notification rule, an API call), read exactly as
 * the explorer page reads it (same parser, same defaults, invalid parts dropped), with rolling
 * periods resolved at `now`. The page position (`cursor`) and the selected entry are not filters:
 * the result is the whole search.
 */
export function parseWholeSearch(query: string, now: Date, readerTz?: string): WholeSearch {
  const { params } = parseExplorerParams(rawSearchParams(query), now, readerTz);
  const whole: ExplorerParams = { ...params, cursor: null, entry: null };
  return {
    params: whole,
    search: parseSearchQuery(whole.q, { timeZone: whole.tz }),
    canonical: serializeExplorerParams(whole, { cursor: null, entry: null }).toString(),
  };
}
