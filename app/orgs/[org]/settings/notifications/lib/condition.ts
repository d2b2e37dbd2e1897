import { parseSearchQuery } from "@/lib/audit-log/search-language";

/**
 * The explorer's refusals of a rule's search text, worded as its search bar words them, so a
 * condition the explorer would not apply is refused with the same message. Pure: the form checks
 * as the person types, the actions decide.
 */
export function conditionProblems(query: string): string[] {
  if (query.trim() === "") return [];
  return parseSearchQuery(query).errors.map((error) =>
    error.token ? `${error.token} not applied: ${error.message}` : error.message,
  );
}
