import { formatSearchQuery, parseSearchQuery, type SearchFilter, type SearchQuery } from "./search-language";

/*
 * Edits of the search text (`q`) that links make: "only this value" and "not this value" for a
 * qualifier. Read and written with the search language's own parser and formatter, so the text
 * that lands in the search box is canonical and means exactly the filter the link promises. Pure.
 */

export type EditableQualifier = "user" | "action" | "resource" | "level" | "ip" | "type" | "result";

function withFilters(query: SearchQuery, filters: SearchFilter[]): SearchQuery {
  return { terms: query.terms, filters, errors: [] };
}

function filterOf(key: EditableQualifier, negated: boolean, value: string): SearchFilter | null {
  const text = value.trim().toLowerCase();
  if (text === "") return null;
  switch (key) {
    case "user":
    case "resource":
      return { key, negated, values: [text] };
    // A link is built from one counted action, so it must not also find the actions it begins.
    case "action":
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

/**
 * `q` narrowed to the value: other values the same qualifier had are dropped (they would be OR-ed
 * with it and widen the search again); negations stay. Null when the value cannot be written.
 */
export function qualifierOnly(q: string, key: EditableQualifier, value: string, timeZone: string): string | null {
  const query = parseSearchQuery(q, { timeZone });
  const added = filterOf(key, false, value);
  if (!added) return null;
  const kept = query.filters.filter((f) => f.key !== key || f.negated);
  return formatSearchQuery(withFilters(query, [...kept, added]), { timeZone });
}

/** `q` with `-key:value` added (a negated qualifier excludes each of its values). */
export function qualifierExcluded(q: string, key: EditableQualifier, value: string, timeZone: string): string | null {
  const query = parseSearchQuery(q, { timeZone });
  const added = filterOf(key, true, value);
  if (!added) return null;
  const filters = [...query.filters];
  const index = filters.findIndex((f) => f.key === key && f.negated);
  if (index === -1) filters.push(added);
  else filters[index] = mergeValues(filters[index]!, added);
  return formatSearchQuery(withFilters(query, filters), { timeZone });
}
