import type { AuditCategory, AuditResult, NotificationGroupBy, NotificationRuleMode } from "@/db/schema/enums";

/*
 * What a rule and a channel may be, shared by the form (to say so before sending) and the actions
 * (which decide). Pure: client components import it.
 */

export const RULE_NAME_MAX = 100;
export const CHANNEL_NAME_MAX = 100;
export const WEBHOOK_URL_MAX = 2048;
export const RULE_CHANNELS_MAX = 20;
export const EMAIL_RECIPIENTS_MAX = 50;

/** N within M minutes: at least two entries (one is `each` mode), a window of at most one day. */
export const THRESHOLD_COUNT = { min: 2, max: 1000 } as const;
export const THRESHOLD_MINUTES = { min: 1, max: 1440 } as const;

/** In `each` mode, a preview above this many entries in 7 days warns of a noisy rule. */
export const NOISY_EACH_PREVIEW = 100;

export const PREVIEW_DAYS = 7;

export type GroupByChoice = NotificationGroupBy | "none";

/** The condition of a rule: the explorer's search text and its type and result filters. */
export interface RuleCondition {
  query: string;
  types: AuditCategory[];
  results: AuditResult[];
}

export interface RuleTemplate extends RuleCondition {
  key: string;
  name: string;
  summary: string;
  mode: NotificationRuleMode;
  thresholdCount: number | null;
  thresholdMinutes: number | null;
  groupBy: NotificationGroupBy | null;
}

/*
 * Starting rules, created paused so nobody is messaged before choosing channels. Permission
 * changes are the access page's entries (lib: settings/access/lib/actions.ts): category user,
 * actions grant_permission, revoke_permission, change_role and approve_access_request.
 */
export const RULE_TEMPLATES: readonly RuleTemplate[] = [
  {
    key: "notice",
    name: "Notice-level events",
    summary: "Every entry at level notice, one message each.",
    query: "level:notice",
    types: [],
    results: [],
    mode: "each",
    thresholdCount: null,
    thresholdMinutes: null,
    groupBy: null,
  },
  {
    key: "failed-sign-ins",
    name: "Repeated failed sign-ins",
    summary: "5 failed sign-ins for one account within 10 minutes.",
    query: "",
    types: ["auth"],
    results: ["failed"],
    mode: "threshold",
    thresholdCount: 5,
    thresholdMinutes: 10,
    groupBy: "user",
  },
  {
    key: "permission-changes",
    name: "Permission changes",
    summary: "Permissions granted or revoked, roles changed, access requests approved.",
    query: "action:grant_permission action:revoke_permission action:change_role action:approve_access_request",
    types: ["user"],
    results: [],
    mode: "each",
    thresholdCount: null,
    thresholdMinutes: null,
    groupBy: null,
  },
];

export function isEmptyCondition(condition: RuleCondition): boolean {
  return condition.query.trim() === "" && condition.types.length === 0 && condition.results.length === 0;
}
