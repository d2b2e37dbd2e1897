import { formatSearchQuery, parseSearchQuery, type SearchFilter, type SearchQuery } from "./search-language";

/*
 * Edits of the search text (`q`) that links make: "only this value" and "not this value" for a
 * qualifier. Read and written with the search language's own parser and formatter, so the text
 * that lands in the search box is canonical and means exactly the filter the link promises. Pure.
 */

export type EditableQualifier =
  "user" | "action" | "resource" | "level" | "ip" | "type" | "result" | "request_id" | "correlation_id" | "service";

function withFilters(query: SearchQuery, filters: SearchFilter[]): SearchQuery {
  return { terms: query.terms, filters, errors: [] };
}

function filterOf(key: EditableQualifier, negated: boolean, value: string): SearchFilter | null {
  // Correlation ids are compared as written; every other value case-insensitively.
  const text = key === "correlation_id" ? value.trim() : value.trim().toLowerCase();
  if (text === "") return null;
  switch (key) {
    case "user":
    case "resource":
    case "service":
    case "correlation_id":
      return { key, negated, values: [text] };
    // A link is built from one value, so it must not also find the actions or ids it begins.
    case "action":
    case "request_id":
      return { key, negated, values: [text], whole: [text] };
    default: {
      // Typed values (an address, a category code) are read by the parser, as the explorer will.
      const read = parseSearchQuery(`${negated ? "-" : ""}${key}:${text}`);
      return read.errors.length === 0 ? (read.filters[0] ?? null) : null;
    }
  }
}

const wholeOf = (filter: SearchFilter): string[] => ("whole" in filter && filter.whole ? filter.whole : []);

// Both filters have the same key and sign (the caller found them so).
function mergeValues(into: SearchFilter, added: SearchFilter): SearchFilter {
  const values = [...into.values, ...added.values];
  const whole = [...wholeOf(into), ...wholeOf(added)];
  return (whole.length > 0 ? { ...into, values, whole } : { ...into, values }) as SearchFilter;
}

// A value's identity inside a filter: addresses by their text, others as they are.
function valueId(value: SearchFilter["values"][number]): string {
  if (typeof value === "string") return value;
  if ("address" in value) return `${value.address}/${value.prefix ?? ""}`;
  return `${value.from?.getTime() ?? ""}..${value.to?.getTime() ?? ""}`;
}

/*
 * The filter without the added filter's value (the opposite sign would contradict it); null when
 * empty. `exactOnly`: a value the filter matches loosely (`action:deploy`, also deploy_service)
 * stays when a whole value is added, since it still means more than that value.
 */
function without(filter: SearchFilter, added: SearchFilter, exactOnly = false): SearchFilter | null {
  const loose = exactOnly && wholeOf(added).length > 0;
  const kept = new Set(wholeOf(filter));
  const drop = new Set(added.values.map(valueId).filter((v) => !loose || kept.has(v)));
  const values = (filter.values as SearchFilter["values"][number][]).filter((v) => !drop.has(valueId(v)));
  if (values.length === 0) return null;
  const whole = wholeOf(filter).filter((v) => !drop.has(v));
  const next = { ...filter, values } as SearchFilter;
  if ("whole" in next) {
    if (whole.length > 0) next.whole = whole;
    else delete next.whole;
  }
  return next;
}

/**
 * `q` narrowed to the value: other values the same qualifier had are dropped (they would be OR-ed
 * with it and widen the search again); negations stay, except one of this very value, which
 * would contradict it. Null when the value cannot be written.
 */
export function qualifierOnly(q: string, key: EditableQualifier, value: string, timeZone: string): string | null {
  const query = parseSearchQuery(q, { timeZone });
  const added = filterOf(key, false, value);
  if (!added) return null;
  const kept = query.filters
    .filter((f) => f.key !== key || f.negated)
    .map((f) => (f.key === key ? without(f, added) : f))
    .filter((f): f is SearchFilter => f !== null);
  return formatSearchQuery(withFilters(query, [...kept, added]), { timeZone });
}

/**
 * `q` with `-key:value` added (a negated qualifier excludes each of its values). The value leaves
 * the same qualifier's positive list; a list left empty goes too.
 */
export function qualifierExcluded(q: string, key: EditableQualifier, value: string, timeZone: string): string | null {
  const query = parseSearchQuery(q, { timeZone });
  const added = filterOf(key, true, value);
  if (!added) return null;
  const filters = query.filters
    .map((f) => (f.key === key && !f.negated ? without(f, added, true) : f))
    .filter((f): f is SearchFilter => f !== null);
  const index = filters.findIndex((f) => f.key === key && f.negated);
  if (index === -1) filters.push(added);
  else filters[index] = mergeValues(filters[index]!, added);
  return formatSearchQuery(withFilters(query, filters), { timeZone });
}

export type PanelQualifier = "level" | "service";

/** The positive values of a qualifier the filter panel edits (`level:`, `service:`), as read. */
export function qualifierValues(q: string, key: PanelQualifier, timeZone: string): string[] {
  const filter = parseSearchQuery(q, { timeZone }).filters.find((f) => f.key === key && !f.negated);
  return filter ? (filter.values as string[]) : [];
}

/**
 * `q` with the qualifier's positive values replaced by `values` (none: the qualifier goes).
 * Unchanged text when the values are already those, so a search the panel did not touch keeps the
 * words it was typed with (and any part that could not be read, with its message).
 */
export function withQualifierValues(q: string, key: PanelQualifier, values: string[], timeZone: string): string {
  const wanted = [...new Set(values.map((v) => v.trim().toLowerCase()).filter((v) => v !== ""))];
  const current = qualifierValues(q, key, timeZone);
  if (current.length === wanted.length && current.every((v) => wanted.includes(v))) return q;
  const query = parseSearchQuery(q, { timeZone });
  const others = query.filters.filter((f) => f.key !== key || f.negated);
  const added: SearchFilter[] = [];
  if (wanted.length > 0) {
    // Levels are read by the parser (aliases, unknown words dropped); services are plain text.
    const read = key === "level" ? parseSearchQuery(`level:${wanted.join(",")}`).filters : [];
    if (key === "service") added.push({ key, negated: false, values: wanted });
    else added.push(...read);
  }
  return formatSearchQuery(withFilters(query, [...others, ...added]), { timeZone });
}
