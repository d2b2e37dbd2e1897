import type { AuditCategory, AuditResult, NotificationGroupBy } from "@/db/schema/enums";
import { parseWholeSearch, type AuditSelection, type WholeSearch } from "@/lib/audit-log/selection";

/*
 * A notification rule's condition is a search of the explorer: its search text and type/result
 * filters, read by the same parser (parseWholeSearch) and turned into SQL by the same query core
 * (selectionWhere), so "what the rule matches" is exactly what the explorer shows for the link
 * built here. Pure: the settings page's client code may use it too.
 */

export interface RuleCondition {
  query: string;
  types: readonly AuditCategory[];
  results: readonly AuditResult[];
}

/**
 * The entries a message is about, on occurred_at (what the explorer's period filters on):
 * from and to are both inclusive, as the explorer reads a custom period's date-times.
 */
export interface RuleWindow {
  from: Date;
  to: Date;
}

/** A threshold message's group: the user or IP address its entries share. */
export interface RuleGroup {
  by: NotificationGroupBy;
  /** An actor id or e-mail (user), or an address (ip); null for entries without one. */
  value: string | null;
}

// Rules see UTC; a person's own zone is the explorer's concern once they open the link.
const RULE_TIME_ZONE = "UTC";

function quoteIfNeeded(value: string): string {
  return /^[^\s"]+$/.test(value) ? value : `"${value.replace(/"/g, "")}"`;
}

/**
 * The rule as explorer search params. Without a window the period is the explorer's default
 * (`7d`): the settings page's preview and "show matching entries". With one, `period=custom`
 * over it. A group narrows to its user (`user=`) or address (`ip:`), when it has one.
 */
export function ruleQueryString(rule: RuleCondition, window?: RuleWindow | null, group?: RuleGroup | null): string {
  const params = new URLSearchParams();
  if (window) {
    params.set("period", "custom");
    params.set("from", window.from.toISOString());
    params.set("to", window.to.toISOString());
    params.set("tz", RULE_TIME_ZONE);
  }
  if (rule.types.length > 0) params.set("type", rule.types.join(","));
  if (rule.results.length > 0) params.set("result", rule.results.join(","));
  let q = rule.query.trim();
  if (group?.value) {
    if (group.by === "user") params.set("user", group.value);
    else q = `${q} ip:${quoteIfNeeded(group.value)}`.trim();
  }
  if (q !== "") params.set("q", q);
  return params.toString();
}

/** The whole search the query core reads for the rule (rolling periods resolved at `now`). */
export function ruleWholeSearch(
  rule: RuleCondition,
  window?: RuleWindow | null,
  now: Date = new Date(),
  group?: RuleGroup | null,
): WholeSearch {
  return parseWholeSearch(ruleQueryString(rule, window, group), now);
}

/** The selection for selectionWhere / countMatching. */
export function ruleSelection(
  orgId: string,
  rule: RuleCondition,
  window?: RuleWindow | null,
  now: Date = new Date(),
  group?: RuleGroup | null,
): AuditSelection {
  const whole = ruleWholeSearch(rule, window, now, group);
  return { orgId, params: whole.params, search: whole.search };
}

/**
 * The explorer URL (a path; prefix an origin for messages) that shows what the rule matches:
 * over the window when given (a threshold message's `searchUrl`), else over the last 7 days.
 */
export function ruleSearchHref(
  orgSlug: string,
  rule: RuleCondition,
  window?: RuleWindow | null,
  group?: RuleGroup | null,
): string {
  const whole = ruleWholeSearch(rule, window, new Date(), group);
  const path = `/orgs/${encodeURIComponent(orgSlug)}/audit-logs`;
  return whole.canonical ? `${path}?${whole.canonical}` : path;
}
