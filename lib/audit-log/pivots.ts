import { auditCategory, auditLevel, auditResult, type AuditCategory, type AuditResult } from "@/db/schema/enums";
import { qualifierExcluded, qualifierOnly, type EditableQualifier } from "./search-edits";
import { parseSearchQuery } from "./search-language";
import type { ExplorerParams, ExplorerParamsOverrides } from "./search-params";

/*
 * Pivots: a value seen in the table or the details, added to the search ("only this value") or
 * excluded from it, in one click. The search text is edited through search-edits (the same
 * canonical, quoted forms the insights' facet links write), then read back: a pivot is offered only
 * when the search it writes matches exactly that value, so a value the language cannot say whole
 * (a quote inside a spaced value, a target name ending in `*`, a search over its limits) gets none
 * rather than a link that finds something else. Pure: the client builds the links.
 */

export type PivotField =
  "actor" | "type" | "action" | "target" | "result" | "level" | "service" | "ip" | "request_id" | "correlation_id";

/** How a field is named in a pivot's accessible name ("Add action deploy to the search"). */
export const PIVOT_FIELD_NAMES: Record<PivotField, string> = {
  actor: "actor",
  type: "type",
  action: "action",
  target: "target",
  result: "result",
  level: "level",
  service: "service",
  ip: "IP",
  request_id: "request id",
  correlation_id: "correlation id",
};

export interface PivotLinks {
  include: ExplorerParamsOverrides | null;
  exclude: ExplorerParamsOverrides | null;
}

const QUALIFIER: Record<Exclude<PivotField, "actor" | "type" | "result">, EditableQualifier> = {
  action: "action",
  target: "resource",
  level: "level",
  service: "service",
  ip: "ip",
  request_id: "request_id",
  correlation_id: "correlation_id",
};

// Whether the text `q` reads back, without a message, to a filter with exactly this value.
function readsBack(q: string, key: EditableQualifier, negated: boolean, value: string, tz: string): boolean {
  const read = parseSearchQuery(q, { timeZone: tz });
  if (read.errors.length > 0) return false;
  const filter = read.filters.find((f) => f.key === key && f.negated === negated);
  if (!filter) return false;
  const expected = key === "correlation_id" ? value : value.toLowerCase();
  switch (filter.key) {
    case "type":
    case "result":
    case "level":
      return (filter.values as string[]).includes(expected);
    case "ip":
      return filter.values.some((v) => v.prefix === null);
    case "created":
      return false;
    default:
      if (!filter.values.includes(expected)) return false;
      // Action and request id values must be whole, or they would also find what they begin.
      if (key === "action" || key === "request_id") return filter.whole?.includes(expected) ?? false;
      // A trailing `*` asks for a prefix; such a name cannot be said exactly.
      if (key === "resource") return !expected.endsWith("*");
      // `user:` is exact only for an email; anything else matches part of a name.
      if (key === "user") return expected.includes("@");
      return true;
  }
}

function edited(
  params: Pick<ExplorerParams, "q" | "tz">,
  key: EditableQualifier,
  value: string,
  negated: boolean,
  entry: string | null,
): ExplorerParamsOverrides | null {
  // Leading or trailing spaces are trimmed by the language, so such a value cannot be matched whole.
  if (value !== value.trim() || value === "") return null;
  const q = negated
    ? qualifierExcluded(params.q, key, value, params.tz)
    : qualifierOnly(params.q, key, value, params.tz);
  if (q === null || !readsBack(q, key, negated, value, params.tz)) return null;
  return { q, cursor: null, entry };
}

/**
 * The two links of one value. `entry` is the entry the value was read from when it is the open one:
 * adding its own value keeps it open (it still matches); excluding it always closes the details.
 */
export function pivotLinks(
  field: PivotField,
  value: string,
  params: Pick<ExplorerParams, "q" | "tz">,
  entry: string | null = null,
): PivotLinks {
  switch (field) {
    case "actor":
      // An email is matched exactly by `user:`; an id only by the `user=` param, which cannot negate.
      if (value.includes("@")) {
        return {
          include: edited(params, "user", value, false, entry),
          exclude: edited(params, "user", value, true, null),
        };
      }
      return { include: value === "" ? null : { user: value, cursor: null, entry }, exclude: null };
    case "type":
      if (!(auditCategory.enumValues as readonly string[]).includes(value)) return { include: null, exclude: null };
      return {
        include: { type: [value as AuditCategory], cursor: null, entry },
        exclude: edited(params, "type", value, true, null),
      };
    case "result":
      if (!(auditResult.enumValues as readonly string[]).includes(value)) return { include: null, exclude: null };
      return {
        include: { result: [value as AuditResult], cursor: null, entry },
        exclude: edited(params, "result", value, true, null),
      };
    case "level":
      if (!(auditLevel.enumValues as readonly string[]).includes(value)) return { include: null, exclude: null };
      break;
    default:
      break;
  }
  const key = QUALIFIER[field];
  return {
    include: edited(params, key, value, false, entry),
    exclude: edited(params, key, value, true, null),
  };
}
